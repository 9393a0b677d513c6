// New link: the full link form; on success, the new link's page.
import { h, toast } from "./dom.js";
import { linkForm } from "./linkform.js";

export async function createPage(container) {
  container.append(
    h("h1", { tabindex: "-1" }, "New link"),
    h("p", { class: "lead" }, "A short link to an object in one of your buckets. Only the bucket and key are needed; everything else is optional."),
    linkForm({
      link: null,
      onSaved: (link) => {
        toast(`Link ${link.code} created.`);
        location.hash = `#/links/${encodeURIComponent(link.code)}`;
      },
    }));
}
