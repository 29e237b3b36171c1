// Kingsmead Harriers: the small script a club site typically carries.
(() => {
  "use strict";
  const toggle = document.querySelector(".menu-toggle");
  const menu = document.getElementById("site-menu");
  if (toggle && menu) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }

  const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long" });
  for (const time of document.querySelectorAll("time[datetime]")) {
    const date = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(date.getTime())) time.title = dateFormat.format(date);
  }

  const countdown = document.querySelector(".countdown[data-race]");
  if (countdown) {
    const race = new Date(countdown.dataset.race);
    const days = Math.ceil((race - Date.now()) / 86_400_000);
    if (days > 1) countdown.textContent = `${days} days to race day.`;
    else if (days === 1) countdown.textContent = "Race day is tomorrow.";
  }

  const form = document.querySelector(".newsletter");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const email = form.querySelector("input[type=email]");
      form.replaceChildren(Object.assign(document.createElement("p"), { textContent: `Thanks, we will write to ${email.value}.` }));
    });
  }
})();
