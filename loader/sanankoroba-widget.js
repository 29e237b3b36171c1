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
  const ATTRIBUTES = ["endpoint", "partner", "lang", "currency", "presets", "privacy-url", "continue-url"];
  const here = document.currentScript && document.currentScript.src;
  const base = here ? new URL(".", here) : null;
  const asset = (name) => new URL(name, base).href;

  // Each file's content-hashed name and its Subresource Integrity, filled in by
  // `cargo xtask dist`. A hashed name never changes content, so servers cache those files for
  // a year; this loader has a short lifetime and is what moves pages on to a new release.
  const ASSETS = /* assets */ { glue: ["sanankoroba_widget.js", ""], wasm: ["sanankoroba_widget_bg.wasm", ""], css: ["sanankoroba-widget.css", ""] } /* end of assets */;

  // A fetch that the browser checks against the file's integrity, when there is one.
  const fetchChecked = ([name, integrity]) =>
    fetch(asset(name), integrity ? { integrity } : {}).then((response) => {
      if (!response.ok) throw new Error(name + " answered " + response.status);
      return response;
    });

  // import() takes no integrity, but a modulepreload link does: the browser checks the module
  // against it and keeps it, so the import() that follows runs that checked copy without a
  // second download. The link lives in the widget's own shadow root, never in the page.
  const preloadModule = (shadow, [name, integrity]) =>
    new Promise((resolve, reject) => {
      const link = document.createElement("link");
      link.rel = "modulepreload";
      link.crossOrigin = "anonymous";
      if (integrity) link.integrity = integrity;
      link.onload = () => {
        link.remove();
        resolve();
      };
      link.onerror = () => {
        link.remove();
        reject(new Error(name + " could not be fetched or failed its integrity check"));
      };
      link.href = asset(name);
      shadow.append(link);
    });

  let runtime;
  // One download and one wasm instance per page, however many widgets it has. A failed
  // download is forgotten, so a widget mounted later tries again.
  const loadRuntime = (shadow) =>
    (runtime ||= Promise.all([
      preloadModule(shadow, ASSETS.glue)
        .then(() => import(asset(ASSETS.glue[0])))
        .then((glue) => glue.default({ module_or_path: fetchChecked(ASSETS.wasm) }).then(() => glue)),
      fetchChecked(ASSETS.css).then((response) => response.text()),
    ])
      .then(([glue, css]) => {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        return { glue, sheet };
      })
      .catch((error) => {
        runtime = null;
        throw error;
      }));

  // How far outside the viewport an element starts loading: one viewport height. On Slow 4G
  // with the CPU slowed 4x, the widget took 1.1 to 1.2 s from this loader's request to a usable
  // first step (`cargo xtask bench widget`, which scrolls a partner page at 240 px/s with each
  // margin). 300px was just enough at that pace, with a tenth of a second to spare; one
  // viewport leaves about three seconds, for faster readers and slower networks, while a
  // visitor who stays more than a screen away from the widget still downloads only this file.
  const NEAR = "100% 0px";

  // What a donor reads before the widget is there, in the languages it speaks: its title, that
  // it is loading, and that it could not load. The same words as its message catalogues, which
  // a test checks.
  const TITLES = { en: "Sponsor a child in Sanankoroba", fr: "Parrainez un enfant à Sanankoroba" };
  const BUSY = { en: "Loading the donation form…", fr: "Chargement du formulaire de don…" };
  const FAILED = {
    en: "The donation form could not load. Please try again later.",
    fr: "Le formulaire de don n'a pas pu se charger. Veuillez réessayer plus tard.",
  };

  // The host's layout is the partner's: these are defaults a page overrides. What the loader
  // draws sits in `.sk-loader`, where inherited properties are reset, so the page's styles stay
  // outside, as they do for the widget itself. The placeholder has the frame the widget will
  // have, at each width, so that the widget takes over without a jump.
  const reserve = new CSSStyleSheet();
  reserve.replaceSync(
    ":host{display:block;box-sizing:border-box;min-block-size:var(--sanankoroba-block-size,640px)}" +
      ":host([hidden]){display:none!important}" +
      ".sk-loader{all:initial;display:block;visibility:inherit;container-type:inline-size;direction:ltr;unicode-bidi:isolate;" +
      "font:16px/1.5 var(--sanankoroba-font,system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif);color:#1a1a1a;text-align:start}" +
      ".sk-placeholder{box-sizing:border-box;min-block-size:var(--sanankoroba-block-size,640px);padding:1em;" +
      "border:1px solid #c9d1d9;border-radius:var(--sanankoroba-radius,.5em);background:#fff}" +
      ".sk-placeholder-title{margin:0 0 .75em;font-size:1.375em;font-weight:700;line-height:1.25}" +
      ".sk-placeholder-busy{margin:0;color:#595959}" +
      ".sk-load-failed{margin:0;padding:1em;border:2px solid #b00020;border-radius:var(--sanankoroba-radius,.5em);background:#fff}" +
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
  const createNode = (tag, className, text) => {
    const node = document.createElement(tag);
    node.className = className;
    if (text) node.textContent = text;
    return node;
  };

  const showPlaceholder = (host, shadow, lang) => {
    if (shadow.firstChild) return;
    const language = languageOf(host, lang);
    const box = createNode("div", "sk-placeholder");
    box.lang = language;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", TITLES[language]);
    box.setAttribute("aria-busy", "true");
    box.append(createNode("p", "sk-placeholder-title", TITLES[language]), createNode("p", "sk-placeholder-busy", BUSY[language]));
    const frame = createNode("div", "sk-loader");
    frame.append(box);
    shadow.append(frame);
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

  const showLoadFailure = (host, shadow, lang, error) => {
    console.error(PREFIX + "could not load from " + (base || "an unknown address") + ".", error);
    const language = languageOf(host, lang);
    const frame = createNode("div", "sk-loader");
    const message = createNode("p", "sk-load-failed", FAILED[language]);
    message.lang = language;
    message.setAttribute("role", "alert");
    frame.append(message);
    shadow.adoptedStyleSheets = [reserve];
    shadow.replaceChildren(frame);
  };

  // The wasm side frees a widget as soon as JavaScript can no longer reach its handle, which
  // takes the widget off the page. Each element keeps its own, so a widget lives as long as its
  // element does, whether or not the page keeps the handle mount() returned.
  const live = new WeakMap();

  // Mounts into `element`'s shadow root. Returns a handle whose unmount() works at any time,
  // even before the runtime has arrived, and whose update() takes changed settings without
  // wiping what the donor typed: it answers false only when the widget could not load, so
  // that the caller mounts it afresh.
  const mountInto = (element, config) => {
    const shadow = element.shadowRoot || element.attachShadow({ mode: "open" });
    if (!shadow.firstChild) shadow.adoptedStyleSheets = [reserve];
    showPlaceholder(element, shadow, config.lang);
    let widget = null;
    let cancelled = false;
    let failed = false;
    // A failure to download or to start is shown in the widget's place, never thrown into
    // the host page.
    const ready = (base ? loadRuntime(shadow) : Promise.reject(new Error("loader address unknown")))
      .then(({ glue, sheet }) => {
        if (cancelled) return;
        // The widget takes the placeholder's place within the same reserved height.
        shadow.replaceChildren();
        live.set(element, (widget = glue.mount(element, shadow, sheet, config)));
      })
      .catch((error) => {
        if (cancelled) return;
        failed = true;
        showLoadFailure(element, shadow, config.lang, error);
      });
    return {
      ready,
      update(next) {
        if (cancelled || failed) return false;
        if (widget) {
          widget.reconfigure(next);
        } else {
          // Still loading: the widget will start with these, and the placeholder speaks
          // their language meanwhile.
          config = next;
          shadow.replaceChildren();
          showPlaceholder(element, shadow, config.lang);
        }
        return true;
      },
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
  const attributesOf = (element) => configOf(element, (el, name) => el.getAttribute(name));
  const mountElement = (element) => {
    mounts.set(element, mountInto(element, attributesOf(element)));
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
      // A widget that could not load tries again with the new settings.
      if (mounts.get(this).update(attributesOf(this))) return;
      unmountElement(this);
      mountElement(this);
    }
  }

  customElements.define(TAG, SanankorobaWidgetElement);

  // A partner's settings object, read as the attributes are: own properties only.
  const settingsOf = (config) => configOf(Object(config), (object, name) => (Object.hasOwn(object, name) ? object[name] : null));

  // The one global the widget defines.
  window.SanankorobaWidget = Object.freeze({
    /** Mounts a widget into any element that can have a shadow root, right away. */
    mount(element, config) {
      try {
        const handle = mountInto(element, settingsOf(config));
        return { ready: handle.ready, update: (next) => void handle.update(settingsOf(next)), unmount: handle.unmount };
      } catch (error) {
        console.error(PREFIX + "cannot mount into this element.", error);
        return { ready: Promise.resolve(), update() {}, unmount() {} };
      }
    },
  });
})();
