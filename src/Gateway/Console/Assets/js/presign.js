// Presign: a raw OSS V4 presigned URL (POST /api/v1/presign), with the headers its user must send.
import * as api from "./api.js";
import { h, sentence, clear, copyText, errorBox, field, formatDateTime, showFieldErrors, clearFieldErrors, table } from "./dom.js";

const maxExpires = 604800;

export async function presignPage(container) {
  const info = api.me();
  const limit = Math.min(maxExpires, info.maxLinkLifetimeSeconds ?? maxExpires);
  const controls = {};
  const add = (name, label, control, hint, wide) => {
    controls[name] = control;
    return field({ name, label, control, hint, wide });
  };
  const select = (options, value) => h("select", {}, options.map((o) => h("option", { value: o, selected: o === value }, o)));

  const status = h("div", { class: "form-status" });
  const output = h("div", { class: "presign-output", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Presign");
  const form = h("form", { class: "link-form", novalidate: true },
    h("fieldset", {}, h("legend", {}, "Request"), h("div", { class: "grid" },
      add("bucket", "Bucket", select(info.buckets, info.buckets[0])),
      add("key", "Object key", h("input", { type: "text", required: true, autocomplete: "off", spellcheck: "false", value: info.keyPrefixes.length === 1 ? info.keyPrefixes[0] : "" }),
        info.keyPrefixes.length ? `This key may only use keys starting with ${info.keyPrefixes.join(" or ")}.` : null),
      add("method", "Method", select(["GET", "HEAD", "PUT", "DELETE"], "GET"), "The method is signed: a URL for GET cannot upload."),
      add("expires", "Valid for (seconds)", h("input", { type: "number", min: 1, max: limit, step: 1, value: Math.min(900, limit), inputmode: "numeric" }), `1 to ${limit}. The URL cannot be revoked.`),
      add("versionId", "Version ID", h("input", { type: "text", autocomplete: "off", spellcheck: "false" }), "Optional (GET, HEAD, DELETE)."),
      add("headers", "Signed headers", h("textarea", { rows: 3, spellcheck: "false" }), "Optional: one 'Name: value' per line, e.g. Content-Type: application/pdf. The user of the URL must send them exactly.", true))),
    h("fieldset", {}, h("legend", {}, "Restrictions"), h("div", { class: "grid" },
      add("trafficLimit", "Bandwidth cap (bit/s)", h("input", { type: "number", min: 819200, max: 838860800, step: 1, inputmode: "numeric" }), "Optional: 819200 to 838860800 (GET and PUT)."),
      add("sourceIp", "Source IP", h("input", { type: "text", autocomplete: "off", spellcheck: "false" }), "Optional: only this client address may use the URL."),
      add("subnetMask", "Subnet mask bits", h("input", { type: "number", min: 0, max: 128, step: 1, inputmode: "numeric" }), "Optional, with Source IP: 0-32 (IPv4), 0-128 (IPv6)."),
      add("vpcId", "VPC ID", h("input", { type: "text", autocomplete: "off", spellcheck: "false" }), "Optional: only requests from this VPC."),
      h("div", { class: "field checkbox", "data-field": "forwardAllow" },
        controls.forwardAllow = h("input", { type: "checkbox", id: "field-forwardAllow", name: "forwardAllow", "aria-describedby": "field-forwardAllow-error" }),
        h("label", { for: "field-forwardAllow" }, "Let OSS take the client address from X-Forwarded-For"),
        h("p", { class: "field-error", id: "field-forwardAllow-error", hidden: true })))),
    h("fieldset", {}, h("legend", {}, "Response overrides (GET, HEAD)"), h("div", { class: "grid" },
      add("responseContentType", "Content-Type", h("input", { type: "text", autocomplete: "off" })),
      add("responseContentDisposition", "Content-Disposition", h("input", { type: "text", autocomplete: "off" }), "e.g. attachment; filename=report.pdf"),
      add("responseCacheControl", "Cache-Control", h("input", { type: "text", autocomplete: "off" })),
      add("responseExpires", "Expires", h("input", { type: "text", autocomplete: "off" }), "An HTTP date."),
      add("responseContentLanguage", "Content-Language", h("input", { type: "text", autocomplete: "off" })),
      add("responseContentEncoding", "Content-Encoding", h("input", { type: "text", autocomplete: "off" })))),
    status,
    h("div", { class: "actions" }, submit));

  container.append(h("h1", { tabindex: "-1" }, "Presign"),
    h("p", { class: "lead" }, "A raw OSS presigned URL, as the OSS SDKs' sign_url makes it, for what a short link does not fit (uploads, deletes, systems that talk to OSS directly). Unlike a short link it cannot be revoked, metered or limited; only its lifetime ends it."),
    form, output);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clear(status);
    const body = { bucket: controls.bucket.value, key: controls.key.value.trim(), method: controls.method.value };
    const number = (name) => (controls[name].value === "" ? undefined : Number(controls[name].value));
    const text = (name) => controls[name].value.trim() || undefined;
    body.expires = number("expires");
    body.trafficLimit = number("trafficLimit");
    body.subnetMask = number("subnetMask");
    for (const name of ["versionId", "sourceIp", "vpcId", "responseContentType", "responseContentDisposition", "responseCacheControl", "responseExpires", "responseContentLanguage", "responseContentEncoding"]) body[name] = text(name);
    if (controls.forwardAllow.checked) body.forwardAllow = true;
    const headerLines = controls.headers.value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    if (headerLines.length) {
      body.headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon <= 0) {
          showFieldErrors(form, { headers: [`'${line}' is not 'Name: value'.`] });
          return;
        }
        body.headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
    }
    for (const name of Object.keys(body)) if (body[name] === undefined) delete body[name];

    submit.disabled = true;
    try {
      const result = await api.request("POST", "presign", { body });
      showResult(output, result);
    } catch (error) {
      clear(output);
      const unplaced = showFieldErrors(form, error.fields);
      const title = sentence(error.problem?.title ?? error.message);
      status.append(errorBox(unplaced.length ? `${title} ${unplaced.join(" ")}` : Object.keys(error.fields).length ? `${title} See the marked fields.` : error.message));
    } finally {
      submit.disabled = false;
    }
  });
}

function showResult(output, result) {
  const urlBox = h("textarea", { readonly: true, rows: 4, class: "url-box", id: "presigned-url", spellcheck: "false" }, result.url);
  const headerRows = Object.entries(result.signedHeaders).map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, h("code", {}, value))));
  const quote = (value) => `'${value.replaceAll("'", "'\\''")}'`;
  const curl = ["curl", result.method === "HEAD" ? "-I" : result.method === "GET" ? "-O" : `-X ${result.method}`,
    ...Object.entries(result.signedHeaders).map(([name, value]) => `-H ${quote(`${name}: ${value}`)}`),
    result.method === "PUT" ? "--upload-file <file>" : null,
    quote(result.url)].filter(Boolean).join(" ");
  const curlBox = h("textarea", { readonly: true, rows: 3, class: "url-box", id: "presigned-curl", spellcheck: "false" }, curl);
  clear(output).append(h("section", { class: "card", "aria-labelledby": "presigned-title" },
    h("h2", { id: "presigned-title" }, "Presigned URL"),
    h("p", {}, `${result.method}, valid until ${formatDateTime(result.expiration)}. Anyone holding it can use it until then.`),
    h("label", { for: "presigned-url" }, "URL"),
    urlBox,
    h("div", { class: "actions" }, h("button", { type: "button", class: "button primary", onclick: () => copyText(result.url, urlBox) }, "Copy URL")),
    headerRows.length
      ? [h("h3", {}, "Headers to send with exactly these values"), table("Headers to send", ["Header", "Value"], headerRows, { captionHidden: true })]
      : h("p", { class: "hint" }, "No headers need to be sent with it."),
    h("label", { for: "presigned-curl" }, "As a curl command"),
    curlBox,
    h("div", { class: "actions" }, h("button", { type: "button", class: "button", onclick: () => copyText(curl, curlBox) }, "Copy command"))));
}
