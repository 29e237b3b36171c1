/*!
 * Sanankoroba sponsorship widget: loader.
 * Defines <sanankoroba-widget> and window.SanankorobaWidget. Fetches the widget itself
 * (script, wasm, CSS, resolved next to this file) only when an element nears the viewport.
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

  // Holds the widget's place before it loads, so the page does not shift when it appears.
  const reserve = new CSSStyleSheet();
  reserve.replaceSync(
    ":host{display:block!important;min-block-size:var(--sanankoroba-block-size,640px)!important}"
  );

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
    let widget = null;
    let cancelled = false;
    // A failure to download or to start is shown in the widget's place, never thrown into
    // the host page.
    const ready = (base ? loadRuntime() : Promise.reject(new Error("loader address unknown")))
      .then(({ glue, sheet }) => {
        if (!cancelled) live.set(element, (widget = glue.mount(element, shadow, sheet, config)));
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
    { rootMargin: "300px 0px" }
  );

  class SanankorobaWidgetElement extends HTMLElement {
    static get observedAttributes() {
      return ATTRIBUTES;
    }

    connectedCallback() {
      const shadow = this.shadowRoot || this.attachShadow({ mode: "open" });
      if (!mounts.has(this)) shadow.adoptedStyleSheets = [reserve];
      nearViewport.observe(this);
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
