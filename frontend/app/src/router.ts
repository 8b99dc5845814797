// A tiny History-API router: the URL is the whole state of a view (path, search text,
// filters, page, language), so any view can be shared and restored by its address.
import { useEffect, useState } from "preact/hooks";

export interface Location {
  path: string;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();

function current(): Location {
  return { path: window.location.pathname, params: new URLSearchParams(window.location.search) };
}

/** Go to ``href`` in the app; the current language stays unless ``keepLang`` is false. */
export function navigate(href: string, replace = false, keepLang = true): void {
  const url = new URL(href, window.location.href);
  const lang = new URLSearchParams(window.location.search).get("lang");
  if (keepLang && lang && !url.searchParams.has("lang")) url.searchParams.set("lang", lang);
  const target = url.pathname + url.search + url.hash;
  if (target === window.location.pathname + window.location.search + window.location.hash) return;
  if (replace) window.history.replaceState(null, "", target);
  else window.history.pushState(null, "", target);
  listeners.forEach((listener) => listener());
  if (!replace) window.scrollTo(0, 0);
}

window.addEventListener("popstate", () => listeners.forEach((listener) => listener()));

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return location;
}

/** ``href`` with the current language kept, for links that stay in the app. */
export function withLang(href: string, lang: string): string {
  if (lang === "en") return href;
  const url = new URL(href, window.location.origin);
  url.searchParams.set("lang", lang);
  return url.pathname + url.search;
}

/** Follow same-origin app links without reloading the page. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element).closest("a");
    if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.dataset.external !== undefined) return;
    const href = anchor.getAttribute("href");
    if (!href || href.startsWith("#")) return;
    const url = new URL(anchor.href);
    if (url.origin !== window.location.origin || !isAppPath(url.pathname)) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

const APP_PATHS = /^\/(?:$|search$|map$|my$|(?:practice|pes|theme|event|project)\/[^/]+$)/;
export function isAppPath(path: string): boolean {
  return APP_PATHS.test(path);
}

/** The last segment of an IRI, which the API accepts as a slug (SWE for a country). */
export function slug(iri: string): string {
  return decodeURIComponent(iri.slice(iri.lastIndexOf("/") + 1));
}

const KINDS: Record<string, string> = {
  practice: "practice",
  pes: "pes",
  theme: "theme",
  event: "event",
  project: "project",
};

/** The app's page of an entity IRI, or null when the app has no page for its kind. */
export function pageOf(iri: string): string | null {
  const match = /\/id\/([^/]+)\/([^/]+)$/.exec(iri);
  if (!match || !KINDS[match[1]]) return null;
  return `/${KINDS[match[1]]}/${match[2]}`;
}
