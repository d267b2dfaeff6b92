// The result views' libraries (ECharts, vis-timeline, Cytoscape.js), served from our origin
// and loaded the first time a view needs one: the editor opens without them.

const loading = new Map();

export function loadScript(src) {
  if (!loading.has(src)) {
    loading.set(src, new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error("could not load " + src));
      document.head.append(script);
    }));
  }
  return loading.get(src);
}

export function loadStyle(href) {
  if (!loading.has(href)) {
    loading.set(href, new Promise((resolve, reject) => {
      const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href });
      link.onload = resolve;
      link.onerror = () => reject(new Error("could not load " + href));
      document.head.append(link);
    }));
  }
  return loading.get(href);
}
