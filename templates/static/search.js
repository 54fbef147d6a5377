// Search results for ?q= from this site's Pagefind index, in the page's language (Pagefind keeps
// one index per <html lang>). Every string shown comes from the page (the gettext catalogs).
const results = document.getElementById("search-results");
const input = document.getElementById("q");
const query = (new URLSearchParams(location.search).get("q") || "").trim();

// Only the excerpt's text and its <mark>s are kept: nothing from the index can become markup.
function excerpt(html) {
  const p = document.createElement("p");
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  for (const node of parsed ? parsed.childNodes : []) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(document.createTextNode(node.textContent));
    }
  }
  return p;
}

function say(template, count) {
  const p = document.createElement("p");
  p.className = "search-status";
  p.textContent = template.replace("%d", String(count)).replace("%s", query);
  return p;
}

async function run() {
  if (!results || !query) return;
  input.value = query;
  let pagefind;
  try {
    pagefind = await import(results.dataset.bundle + "pagefind.js");
    await pagefind.options({ baseUrl: results.dataset.base });
  } catch (error) {
    results.replaceChildren(say(results.dataset.failed, 0));
    return;
  }
  const found = await pagefind.search(query);
  const shown = await Promise.all(found.results.slice(0, 20).map((result) => result.data()));
  const count = found.results.length;
  const template = count === 0 ? results.dataset.none : count === 1 ? results.dataset.one : results.dataset.many;
  const list = document.createElement("ol");
  list.className = "search-list";
  for (const data of shown) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    item.append(link, excerpt(data.excerpt));
    list.append(item);
  }
  results.replaceChildren(say(template, count), ...(count ? [list] : []));
}

run();
