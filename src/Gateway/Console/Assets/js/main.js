// The console's shell: sign-in, navigation by URL fragment (#/links, #/links/<code>, ...) and the pages.
// Every page is built from the admin API's answers; nothing is kept but the API key of this tab.
import * as api from "./api.js";
import { h, clear, dismissStaleToast, errorBox, field, toast } from "./dom.js";
import { linksPage } from "./links.js";
import { createPage } from "./create.js";
import { detailPage } from "./detail.js";
import { trafficPage } from "./traffic.js";
import { auditPage } from "./audit.js";
import { presignPage } from "./presign.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
let renderToken = 0;

/** Pages by the first fragment segment, each with the scope it needs. */
const pages = {
  links: { scope: "links:read", title: "Links", render: linksPage },
  new: { scope: "links:write", title: "New link", render: createPage },
  link: { scope: "links:read", title: "Link", render: detailPage },
  traffic: { scope: "stats:read", title: "Traffic", render: trafficPage },
  audit: { scope: "links:read", title: "Audit log", render: auditPage },
  presign: { scope: "presign", title: "Presign", render: presignPage },
};

function firstAllowedPage() {
  return Object.entries(pages).find(([name, page]) => name !== "link" && api.can(page.scope))?.[0];
}

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "links" && parts[1]) return { name: "link", args: [parts[1]] };
  return { name: parts[0] ?? "", args: parts.slice(1) };
}

function showShell(signedIn) {
  nav.hidden = !signedIn;
  who.hidden = !signedIn;
  if (!signedIn) return;
  for (const item of nav.querySelectorAll("li[data-scope]")) item.hidden = !api.can(item.dataset.scope);
  document.getElementById("key-name").textContent = `Key: ${api.me().name}`;
}

function markCurrent(name) {
  const current = name === "link" ? "links" : name;
  for (const link of nav.querySelectorAll("a[data-page]")) {
    if (link.dataset.page === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function render() {
  const token = ++renderToken;
  if (!api.me()) {
    showShell(false);
    signInPage();
    return;
  }

  showShell(true);
  const route = parseRoute();
  const page = pages[route.name];
  if (!page || !api.can(page.scope)) {
    const fallback = firstAllowedPage();
    if (fallback && route.name !== fallback) {
      location.replace(`#/${fallback}`);
      return;
    }
    clear(main).append(h("h1", {}, "Nothing to show"), h("p", {}, "This API key has no scope the console can use."));
    return;
  }

  markCurrent(route.name);
  document.title = `${page.title} · Gateway console`;
  const container = h("div", { class: "page" });
  clear(main).append(container);
  try {
    await page.render(container, ...route.args);
  } catch (error) {
    if (token !== renderToken) return;
    container.append(errorBox(error.message));
  }
  if (token === renderToken && focusAfterRender) {
    focusAfterRender = false;
    (main.querySelector("h1") ?? main).focus();
  }
}

let focusAfterRender = false;

function signInPage(message) {
  document.title = "Sign in · Gateway console";
  const input = h("input", { type: "password", autocomplete: "off", spellcheck: "false", required: true });
  const status = h("div", { class: "form-status" });
  const form = h("form", { class: "sign-in", novalidate: true },
    h("h1", {}, "Sign in"),
    h("p", {}, "Sign in with an API key of this gateway. It is kept in this browser tab only and sent to the admin API as a bearer header; closing the tab forgets it."),
    message ? errorBox(message) : null,
    field({ name: "apiKey", label: "API key", control: input, hint: "In demo mode, the key printed when the gateway started." }),
    status,
    h("button", { type: "submit", class: "button primary" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    const error = form.querySelector(".field-error");
    if (!key) {
      error.textContent = "Enter an API key.";
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api.signIn(key);
      input.value = "";
      focusAfterRender = true;
      // A page named in the address (a bookmark) opens as it is; otherwise the first page the key may
      // see, through hashchange, which renders it.
      if (pages[parseRoute().name]) await render();
      else location.hash = `#/${firstAllowedPage() ?? "links"}`;
    } catch (failure) {
      error.textContent = failure.status === 401 ? "The gateway does not accept this key (unknown or expired)." : failure.message;
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  clear(main).append(h("div", { class: "page narrow" }, form));
  input.focus();
}

api.onSignedOut((reason) => {
  showShell(false);
  signInPage(reason);
});

document.getElementById("sign-out").addEventListener("click", () => {
  api.signOut();
  toast("Signed out; the key is forgotten.");
});

document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener("hashchange", () => {
  dismissStaleToast();
  focusAfterRender = true;
  render();
});

async function start() {
  try {
    await api.resume();
  } catch (error) {
    if (error.status !== 401) {
      clear(main).append(errorBox(error.message));
      return;
    }
  }
  await render();
}

start();
