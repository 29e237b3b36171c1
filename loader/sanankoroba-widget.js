/*!
 * Sanankoroba sponsorship widget: loader.
 * Defines <sanankoroba-widget> and window.SanankorobaWidget. Fetches the widget itself
 * (script, wasm, CSS, resolved next to this file) only when an element nears the viewport,
 * or at once with loading="eager", and shows a light placeholder in its place meanwhile.
 */
(() => {
  "use strict";
  const TAG = "sanankoroba-widget";
  // A second copy of the script tag must not redefine the element or load a second runtime.
  if (customElements.get(TAG)) return;

  const PREFIX = "Sanankoroba widget: ";
  const ATTRIBUTES = ["endpoint", "partner", "lang", "currency", "presets"];
  const here = document.currentScript && document.currentScript.src;
  const base = here ? new URL(".", here) : null;
  const asset = (name) => new URL(name, base).href;

  let runtime;
  // One download and one wasm instance per page, however many widgets it has.
  const loadRuntime = () =>
    (runtime ||= Promise.all([
      import(asset("sanankoroba_widget.js")).then((glue) =>
        glue.default({ module_or_path: asset("sanankoroba_widget_bg.wasm") }).then(() => glue)
      ),
      fetch(asset("sanankoroba-widget.css")).then((response) => {
        if (!response.ok) throw new Error("stylesheet answered " + response.status);
        return response.text();
      }),
    ]).then(([glue, css]) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      return { glue, sheet };
    }));

  // How far outside the viewport an element starts loading: one viewport height. On Slow 4G
  // with the CPU slowed 4x, the widget took 1.1 to 1.2 s from this loader's request to a usable
  // first step (`cargo xtask bench widget`, which scrolls a partner page at 240 px/s with each
  // margin). 300px was just enough at that pace, with a tenth of a second to spare; one
  // viewport leaves about three seconds, for faster readers and slower networks, while a
  // visitor who stays more than a screen away from the widget still downloads only this file.
  const NEAR = "100% 0px";

  // The widget's title, in the languages it speaks, for the placeholder. The same words as its
  // message catalogues, which a test checks.
  const TITLES = { en: "Sponsor a child in Sanankoroba", fr: "Parrainez un enfant à Sanankoroba" };
  const BUSY = { en: "Loading the donation form…", fr: "Chargement du formulaire de don…" };

  // Holds the widget's place before it loads, so the page does not shift when it appears, and
  // draws the placeholder with the frame the widget will have.
  const reserve = new CSSStyleSheet();
  reserve.replaceSync(
    ":host{display:block!important;min-block-size:var(--sanankoroba-block-size,640px)!important;container-type:inline-size}" +
      ".sk-placeholder{box-sizing:border-box;min-block-size:var(--sanankoroba-block-size,640px);padding:1em;" +
      "border:1px solid #c9d1d9;border-radius:var(--sanankoroba-radius,.5em);background:#fff;color:#1a1a1a;" +
      "font:16px/1.5 var(--sanankoroba-font,system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif);text-align:start}" +
      ".sk-placeholder-title{margin:0 0 .75em;font-size:1.375em;font-weight:700;line-height:1.25}" +
      ".sk-placeholder-busy{margin:0;color:#595959}" +
      // The widget's own title and padding at each width, so that it takes over without a jump.
      "@container (max-width:29.99em){.sk-placeholder{padding:.75em .875em}.sk-placeholder-title{margin-block-end:.5em;font-size:1.25em}}" +
      "@container (min-width:32em){.sk-placeholder{padding:1.25em 1.5em}}" +
      "@container (min-width:44em){.sk-placeholder-title{font-size:1.625em}}"
  );

  // The placeholder's language follows the widget's own rule: its `lang`, the page's, the
  // browser's, then English.
  const languageOf = (element, lang) => {
    const tags = [lang, element.getAttribute("lang"), document.documentElement.lang, ...(navigator.languages || [])];
    for (const tag of tags) {
      const primary = String(tag || "").split(/[-_]/)[0].trim().toLowerCase();
      if (Object.hasOwn(TITLES, primary)) return primary;
    }
    return "en";
  };

  // Built node by node: nothing here is parsed from a string, so it works under Trusted Types.
  const showPlaceholder = (element, shadow, lang) => {
    if (shadow.firstChild) return;
    const language = languageOf(element, lang);
    const box = document.createElement("div");
    box.className = "sk-placeholder";
    box.lang = language;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", TITLES[language]);
    box.setAttribute("aria-busy", "true");
    const title = document.createElement("p");
    title.className = "sk-placeholder-title";
    title.textContent = TITLES[language];
    const busy = document.createElement("p");
    busy.className = "sk-placeholder-busy";
    busy.textContent = BUSY[language];
    box.append(title, busy);
    shadow.append(box);
  };

  // Settings are read from the partner's own attributes or properties, into an object without a
  // prototype: whatever another script adds to Object.prototype never becomes a setting.
  const configOf = (source, read) => {
    const config = Object.create(null);
    for (const name of ATTRIBUTES) {
      const value = read(source, name);
      if (value != null) config[name] = String(value);
    }
    return config;
  };

  const showLoadFailure = (shadow, error) => {
    console.error(PREFIX + "could not load from " + (base || "an unknown address") + ".", error);
    const message = document.createElement("p");
    message.setAttribute("role", "alert");
    message.textContent = "The donation form could not load. Please try again later.";
    shadow.replaceChildren(message);
  };

  // The wasm side frees a widget as soon as JavaScript can no longer reach its handle, which
  // takes the widget off the page. Each element keeps its own, so a widget lives as long as its
  // element does, whether or not the page keeps the handle mount() returned.
  const live = new WeakMap();

  // Mounts into `element`'s shadow root. Returns a handle whose unmount() works at any time,
  // even before the runtime has arrived.
  const mountInto = (element, config) => {
    const shadow = element.shadowRoot || element.attachShadow({ mode: "open" });
    if (!shadow.firstChild) shadow.adoptedStyleSheets = [reserve];
    showPlaceholder(element, shadow, config.lang);
    let widget = null;
    let cancelled = false;
    // A failure to download or to start is shown in the widget's place, never thrown into
    // the host page.
    const ready = (base ? loadRuntime() : Promise.reject(new Error("loader address unknown")))
      .then(({ glue, sheet }) => {
        if (cancelled) return;
        // The widget takes the placeholder's place within the same reserved height.
        shadow.replaceChildren();
        live.set(element, (widget = glue.mount(element, shadow, sheet, config)));
      })
      .catch((error) => {
        if (!cancelled) showLoadFailure(shadow, error);
      });
    return {
      ready,
      unmount() {
        cancelled = true;
        if (widget) {
          if (live.get(element) === widget) live.delete(element);
          widget.unmount();
          widget.free();
          widget = null;
        }
      },
    };
  };

  const mounts = new WeakMap();
  const mountElement = (element) => {
    mounts.set(element, mountInto(element, configOf(element, (el, name) => el.getAttribute(name))));
  };
  const unmountElement = (element) => {
    const handle = mounts.get(element);
    mounts.delete(element);
    if (handle) handle.unmount();
  };

  const nearViewport = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        nearViewport.unobserve(entry.target);
        if (entry.target.isConnected && !mounts.has(entry.target)) mountElement(entry.target);
      }
    },
    { rootMargin: NEAR }
  );

  class SanankorobaWidgetElement extends HTMLElement {
    static get observedAttributes() {
      return ATTRIBUTES;
    }

    connectedCallback() {
      if (mounts.has(this)) return;
      const shadow = this.shadowRoot || this.attachShadow({ mode: "open" });
      shadow.adoptedStyleSheets = [reserve];
      showPlaceholder(this, shadow, this.getAttribute("lang"));
      // A page that is about the widget can have it at once.
      if (this.getAttribute("loading") === "eager") mountElement(this);
      else nearViewport.observe(this);
    }

    disconnectedCallback() {
      nearViewport.unobserve(this);
      unmountElement(this);
    }

    attributeChangedCallback(_name, previous, next) {
      if (previous === next || !mounts.has(this)) return;
      unmountElement(this);
      mountElement(this);
    }
  }

  customElements.define(TAG, SanankorobaWidgetElement);

  // The one global the widget defines.
  window.SanankorobaWidget = Object.freeze({
    /** Mounts a widget into any element that can have a shadow root, right away. */
    mount(element, config) {
      try {
        return mountInto(element, configOf(Object(config), (object, name) => (Object.hasOwn(object, name) ? object[name] : null)));
      } catch (error) {
        console.error(PREFIX + "cannot mount into this element.", error);
        return { ready: Promise.resolve(), unmount() {} };
      }
    },
  });
})();
