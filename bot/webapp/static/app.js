// The staff Mini App's page: our own few lines, no library. Telegram opens this page with its
// launch parameters in the URL's #fragment (tgWebAppData: the signed initData, tgWebAppThemeParams:
// the app's colours, tgWebAppStartParam: the screen of a direct link). Every screen is an HTML
// fragment rendered by the bot's server, fetched with the initData in the Authorization header.
"use strict";
(() => {
  const root = document.getElementById("app");
  const view = document.getElementById("view");
  const base = root.dataset.base;
  const launch = new URLSearchParams(location.hash.slice(1));

  // A reload keeps the #fragment, an in-app navigation may not: keep the launch data for the session.
  const remember = (key) => {
    const value = launch.get(key);
    if (value) sessionStorage.setItem(key, value);
    return value || sessionStorage.getItem(key) || "";
  };
  const initData = remember("tgWebAppData");
  const startParam = launch.get("tgWebAppStartParam") || "";

  // ---- the bridge to the Telegram client (Mini Apps protocol: named events with JSON data)
  function postEvent(type, data = {}) {
    const message = JSON.stringify({ eventType: type, eventData: data });
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, JSON.stringify(data));
      else if (window.external && "notify" in window.external) window.external.notify(message);
      else if (window.parent !== window) window.parent.postMessage(message, "*");
    } catch (error) { /* outside Telegram: nothing to tell */ }
  }
  function theme(params) {
    for (const [key, value] of Object.entries(params || {})) {
      if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
        document.documentElement.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
      }
    }
  }
  function receive(type, data) {
    if (type === "theme_changed") theme((data || {}).theme_params);
    if (type === "back_button_pressed") back();
  }
  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = window.Telegram.WebView || { receiveEvent: receive };
  window.addEventListener("message", (event) => {
    try {
      const { eventType, eventData } = JSON.parse(event.data);
      receive(eventType, eventData);
    } catch (error) { /* not a Telegram event */ }
  });
  try { theme(JSON.parse(launch.get("tgWebAppThemeParams") || "{}")); } catch (error) { /* keep ours */ }

  // ---- screens
  const history = [];
  let current = null;

  function show(html) {
    view.innerHTML = html; // the server's own rendering, every value escaped there
    const screen = view.querySelector("[data-title]");
    if (screen) document.title = screen.dataset.title;
  }
  function offline() {
    const p = document.createElement("p");
    p.className = "problem";
    p.dataset.testid = "problem";
    p.textContent = root.dataset.network;
    return p;
  }
  async function call(path, options = {}) {
    const headers = { Authorization: `tma ${initData}`, ...(options.headers || {}) };
    return fetch(`${base}/api/${path}`, { ...options, headers, cache: "no-store" });
  }
  async function go(route, { push = true } = {}) {
    view.setAttribute("aria-busy", "true");
    try {
      const response = await call(`view/${route}`);
      show(await response.text());
      if (push && current !== null && current !== route) history.push(current);
      current = route;
      window.scrollTo(0, 0);
    } catch (error) {
      view.prepend(offline());
    } finally {
      view.removeAttribute("aria-busy");
      postEvent("web_app_setup_back_button", { is_visible: history.length > 0 });
    }
  }
  function back() {
    if (history.length) go(history.pop(), { push: false });
  }
  function query(form) {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) params.append(key, value);
    const text = params.toString();
    return text ? `${form.dataset.filter}?${text}` : form.dataset.filter;
  }
  function actionId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  async function post(form) {
    const body = { action_id: actionId() }; // one-time: the server refuses the same write twice
    for (const [key, value] of new FormData(form)) body[key] = String(value);
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    try {
      const response = await call(form.dataset.post, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const html = await response.text();
      if (response.ok) {
        show(html);
        window.scrollTo(0, 0);
        return;
      }
      const holder = document.createElement("div");
      holder.innerHTML = html;
      form.querySelectorAll(".problem").forEach((old) => old.remove());
      form.prepend(...holder.childNodes);
    } catch (error) {
      form.prepend(offline());
    } finally {
      if (button) button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-go]");
    if (!link) return;
    event.preventDefault();
    go(link.dataset.go);
  });
  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-filter]");
    if (form && event.target.name !== "q") go(query(form), { push: false });
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    event.preventDefault();
    if (form.dataset.filter) go(query(form), { push: false });
    else if (form.dataset.post) post(form);
  });

  // The screen asked for: a direct link's startapp, else a button's ?startapp=, else the board.
  const ROUTES = { ent: "ent/", req: "req/", bld: "building/" };
  function first(start) {
    const match = /^(ent|req|bld)-(\d{1,12})$/.exec(start || "");
    if (match) return ROUTES[match[1]] + match[2];
    if (start === "stats-month") return "stats?period=month";
    if (["queue", "stats", "board"].includes(start)) return start;
    return "board";
  }
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  go(first(startParam || root.dataset.start), { push: false });
})();
