// The link form, for creating (every option of POST /api/v1/links) and for editing (PATCH: what changed).
// Limits of the signed-in key are built in (buckets offered, required expiry and download limit, their
// maxima), and the API's own validation errors are shown at the field they name.
import * as api from "./api.js";
import { h, sentence, errorBox, field, fromLocalInput, toLocalInput, showFieldErrors, clearFieldErrors } from "./dom.js";

function select(options, value) {
  return h("select", {}, options.map(([optionValue, label]) => h("option", { value: optionValue, selected: optionValue === value }, label)));
}

function splitList(text, separator) {
  return text.split(separator).map((item) => item.trim()).filter(Boolean);
}

function sameList(a, b) {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * Builds the form. link: the link to edit (null to create). onSaved(link) runs after a success.
 * Returns the <form>.
 */
export function linkForm({ link, onSaved, onCancel }) {
  const info = api.me();
  const editing = !!link;
  const controls = {};
  const section = (title, ...fields) => h("fieldset", {}, h("legend", {}, title), h("div", { class: "grid" }, fields));
  const add = (name, label, control, hint, wide) => {
    controls[name] = control;
    return field({ name, label, control, hint, wide });
  };

  const lifetime = info.maxLinkLifetimeSeconds;
  const latestExpiry = lifetime ? new Date(Date.now() + lifetime * 1000) : null;
  const expiresHint = latestExpiry
    ? `Required for this key: at the latest ${latestExpiry.toLocaleString()}.`
    : "Empty: the link never expires.";
  const maxDownloadsHint = info.maxDownloads ? `Required for this key: at most ${info.maxDownloads}.` : "Empty: no limit. Ranges and resumes of one download count once.";

  const target = editing ? null : section("Object",
    add("bucket", "Bucket", select(info.buckets.map((alias) => [alias, alias]), info.buckets[0]),
      info.allBuckets ? null : "The buckets this key may use."),
    add("key", "Object key", h("input", { type: "text", required: true, autocomplete: "off", spellcheck: "false", value: info.keyPrefixes.length === 1 ? info.keyPrefixes[0] : "" }),
      info.keyPrefixes.length ? `This key may only use keys starting with ${info.keyPrefixes.join(" or ")}.` : "The object's key in the bucket, e.g. reports/2026/q3.pdf."),
    add("versionId", "Version ID", h("input", { type: "text", autocomplete: "off", spellcheck: "false" }), "Optional: pins one version of the object."),
    add("code", "Custom code", h("input", { type: "text", autocomplete: "off", spellcheck: "false", pattern: "[A-Za-z0-9_-]{3,64}" }), "Optional: 3-64 letters, digits, - or _. Empty: a random 10-character code."));

  const limits = section("Validity and limits",
    add("notBefore", "Valid from", h("input", { type: "datetime-local", value: toLocalInput(link?.notBefore) }), "Optional: downloads before this time get 410."),
    add("expiresAt", "Expires", h("input", {
      type: "datetime-local",
      required: !!lifetime,
      max: latestExpiry ? toLocalInput(latestExpiry.toISOString()) : null,
      value: toLocalInput(link?.expiresAt ?? (editing ? null : latestExpiry?.toISOString())),
    }), expiresHint),
    add("maxDownloads", "Download limit", h("input", { type: "number", min: 1, max: info.maxDownloads ?? null, step: 1, required: !!info.maxDownloads, inputmode: "numeric", value: link?.maxDownloads ?? (editing ? "" : info.maxDownloads ?? "") }), maxDownloadsHint),
    add("trafficLimit", "Bandwidth cap (bit/s)", h("input", { type: "number", min: 819200, max: 838860800, step: 1, inputmode: "numeric", value: link?.trafficLimit ?? "" }), "Optional: 819200 (100 KB/s) to 838860800 (100 MB/s) per connection."),
    add("allowedCidrs", "Allowed networks", h("textarea", { rows: 3, spellcheck: "false" }, (link?.allowedCidrs ?? []).join("\n")), "Optional: one address or CIDR per line (203.0.113.0/24). Others get 403.", true));

  const modeControl = select([["proxy", "Proxy (streamed, metered)"], ["redirect", "Redirect (to a short-lived OSS URL)"]], link?.mode ?? "proxy");
  const bindControl = h("input", { type: "checkbox", checked: !!link?.bindClientIp });
  const presentation = section("Delivery",
    add("mode", "Mode", modeControl, "Proxy streams through the gateway and counts every byte; redirect sends the client to OSS, which saves the gateway's bandwidth."),
    add("filename", "File name", h("input", { type: "text", autocomplete: "off", value: link?.filename ?? "" }), "Optional: the name the browser saves; default the key's last segment."),
    add("disposition", "Open as", select([["attachment", "Download (attachment)"], ["inline", "Show in the browser (inline)"]], link?.disposition ?? "attachment")),
    add("contentType", "Content type", h("input", { type: "text", autocomplete: "off", spellcheck: "false", value: link?.contentType ?? "" }), "Optional: overrides the object's stored type, e.g. application/pdf."),
    h("div", { class: "field checkbox", "data-field": "bindClientIp" },
      bindControl,
      h("label", { for: "field-bindClientIp" }, "Bind each redirect to the clicking client's IP (redirect mode)"),
      h("p", { class: "field-error", id: "field-bindClientIp-error", hidden: true })),
    editing ? null : h("div", { class: "field checkbox", "data-field": "pinEtag" },
      controls.pinEtag = h("input", { type: "checkbox", id: "field-pinEtag", name: "pinEtag", "aria-describedby": "field-pinEtag-error" }),
      h("label", { for: "field-pinEtag" }, "Pin the object's current ETag: refuse to serve it once it changes"),
      h("p", { class: "field-error", id: "field-pinEtag-error", hidden: true })));
  bindControl.id = "field-bindClientIp";
  bindControl.name = "bindClientIp";
  bindControl.setAttribute("aria-describedby", "field-bindClientIp-error");
  controls.bindClientIp = bindControl;
  const syncBind = () => {
    bindControl.disabled = modeControl.value !== "redirect";
    if (bindControl.disabled) bindControl.checked = false;
  };
  modeControl.addEventListener("change", syncBind);
  syncBind();

  const about = section("Description",
    add("tags", "Tags", h("input", { type: "text", autocomplete: "off", value: (link?.tags ?? []).join(", ") }), "Optional: separated by commas, e.g. reports, q3."),
    add("note", "Note", h("textarea", { rows: 2 }, link?.note ?? ""), "Optional: for people, not shown to downloaders.", true));

  const status = h("div", { class: "form-status" });
  const submit = h("button", { type: "submit", class: "button primary" }, editing ? "Save changes" : "Create link");
  const form = h("form", { class: "link-form", novalidate: true },
    target, limits, presentation, about, status,
    h("div", { class: "actions" }, submit,
      onCancel ? h("button", { type: "button", class: "button", onclick: onCancel }, "Cancel") : null));

  const values = () => ({
    bucket: controls.bucket?.value,
    key: controls.key?.value.trim(),
    versionId: controls.versionId?.value.trim() || null,
    code: controls.code?.value.trim() || null,
    notBefore: fromLocalInput(controls.notBefore.value),
    expiresAt: fromLocalInput(controls.expiresAt.value),
    maxDownloads: controls.maxDownloads.value === "" ? null : Number(controls.maxDownloads.value),
    trafficLimit: controls.trafficLimit.value === "" ? null : Number(controls.trafficLimit.value),
    allowedCidrs: splitList(controls.allowedCidrs.value, /\r?\n/),
    mode: controls.mode.value,
    filename: controls.filename.value.trim() || null,
    disposition: controls.disposition.value,
    contentType: controls.contentType.value.trim() || null,
    bindClientIp: controls.bindClientIp.checked,
    pinEtag: controls.pinEtag?.checked ?? false,
    tags: splitList(controls.tags.value, ","),
    note: controls.note.value.trim() || null,
  });

  const createBody = (v) => {
    const body = { bucket: v.bucket, key: v.key };
    for (const name of ["versionId", "code", "notBefore", "expiresAt", "maxDownloads", "trafficLimit", "filename", "contentType", "note"]) {
      if (v[name] !== null) body[name] = v[name];
    }
    if (v.allowedCidrs.length) body.allowedCidrs = v.allowedCidrs;
    if (v.tags.length) body.tags = v.tags;
    if (v.mode !== "proxy") body.mode = v.mode;
    if (v.disposition !== "attachment") body.disposition = v.disposition;
    if (v.bindClientIp) body.bindClientIp = true;
    if (v.pinEtag) body.pinEtag = true;
    return body;
  };

  // A merge patch of what changed: a cleared field is null (removed), an untouched one is left out.
  const patchBody = (v) => {
    const patch = {};
    const instant = (value) => (value ? new Date(value).getTime() : null);
    for (const name of ["notBefore", "expiresAt"]) {
      if (instant(v[name]) !== instant(link[name])) patch[name] = v[name];
    }
    for (const name of ["maxDownloads", "trafficLimit", "filename", "contentType", "note", "mode", "disposition", "bindClientIp"]) {
      if ((v[name] ?? null) !== (link[name] ?? null)) patch[name] = v[name];
    }
    if (!sameList(v.allowedCidrs, link.allowedCidrs)) patch.allowedCidrs = v.allowedCidrs;
    if (!sameList(v.tags, link.tags)) patch.tags = v.tags;
    return patch;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    status.replaceChildren();
    const v = values();
    if (!editing && !v.key) {
      showFieldErrors(form, { key: ["Required: the object's key in the bucket."] });
      return;
    }
    submit.disabled = true;
    try {
      let saved;
      if (editing) {
        const patch = patchBody(v);
        if (Object.keys(patch).length === 0) {
          status.append(h("p", { class: "hint" }, "Nothing changed."));
          return;
        }
        saved = await api.request("PATCH", `links/${encodeURIComponent(link.code)}`, { body: patch, contentType: "application/merge-patch+json" });
      } else {
        saved = await api.request("POST", "links", { body: createBody(v) });
      }
      onSaved(saved);
    } catch (error) {
      const unplaced = showFieldErrors(form, error.fields);
      const title = sentence(error.problem?.title ?? error.message);
      status.append(errorBox(unplaced.length ? `${title} ${unplaced.join(" ")}` : Object.keys(error.fields).length ? `${title} See the marked fields.` : error.message));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
