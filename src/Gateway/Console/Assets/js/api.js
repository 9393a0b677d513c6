// The admin API, as the console uses it. The API key lives in sessionStorage (this tab only, gone when
// the tab closes) and travels only as the bearer header: never in a URL, a cookie or localStorage.

const keyStorage = "gateway.console.apiKey";
const apiBase = new URL("../api/v1/", document.baseURI);

/** An answer of the admin API that was not a success, with its problem details. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The gateway answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
    /** Field name -> messages, from a validation problem (400) or a key-scope refusal (403). */
    this.fields = problem?.errors ?? {};
  }
}

let session = null;
const signedOutListeners = [];

export function storedKey() {
  return sessionStorage.getItem(keyStorage);
}

/** What the signed-in key may do (GET /api/v1/me); null before sign-in. */
export function me() {
  return session;
}

export function can(scope) {
  return session?.scopes.includes(scope) ?? false;
}

export function onSignedOut(listener) {
  signedOutListeners.push(listener);
}

/** Checks the key with GET /api/v1/me and keeps it for this tab only when the gateway accepts it. */
export async function signIn(key) {
  const info = await request("GET", "me", { key });
  sessionStorage.setItem(keyStorage, key);
  session = info;
  return info;
}

export function signOut(reason) {
  sessionStorage.removeItem(keyStorage);
  session = null;
  for (const listener of signedOutListeners) listener(reason);
}

/** Builds "links?bucket=a&tag=b", leaving out empty values. */
export function path(base, query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}

/**
 * Sends one request. JSON in and out; { blob: true } returns the body as a Blob (the QR code).
 * A 401 on a signed-in session means the key stopped working (expired, removed): sign out.
 */
export async function request(method, relative, { body, key, blob, contentType } = {}) {
  const bearer = key ?? storedKey();
  const headers = { Accept: blob ? "*/*" : "application/json" };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const init = { method, headers, cache: "no-store", credentials: "omit", redirect: "error" };
  if (body !== undefined) {
    headers["Content-Type"] = contentType ?? "application/json";
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(new URL(relative, apiBase), init);
  } catch {
    throw new ApiError(0, { title: "The gateway cannot be reached", detail: "The gateway did not answer. Check the connection and try again." });
  }

  if (response.ok) {
    if (response.status === 204) return null;
    return blob ? response.blob() : response.json();
  }

  let problem = null;
  try {
    problem = await response.json();
  } catch {
    problem = null;
  }
  if (response.status === 429) {
    const wait = response.headers.get("Retry-After");
    problem = { ...problem, detail: `Too many requests for this API key; try again${wait ? ` in ${wait} s` : " shortly"}.` };
  }
  const error = new ApiError(response.status, problem);
  if (response.status === 401 && key === undefined && session) signOut(error.message);
  throw error;
}

/** Restores the session of this tab after a reload: the stored key, checked again. */
export async function resume() {
  const key = storedKey();
  if (!key) return null;
  try {
    session = await request("GET", "me", { key });
    return session;
  } catch (error) {
    if (error.status === 401) sessionStorage.removeItem(keyStorage);
    throw error;
  }
}
