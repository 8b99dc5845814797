import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";
import { Link, NotFound } from "./components/common";
import { I18n, LANGUAGES, type Lang, asLang, translator, useI18n } from "./i18n";
import { type Location, navigate, useLocation } from "./router";
import { lazyView } from "./lazy";
import { Home } from "./views/Home";
import { Search } from "./views/Search";
import { PracticeView } from "./views/Practice";
import { PesView } from "./views/Pes";
import { ThemeView } from "./views/Theme";
import { EventView, ProjectView } from "./views/Event";

const MapView = lazyView(() => import("./views/Map").then((m) => m.MapView));
const Mine = lazyView(() => import("./views/Mine").then((m) => m.Mine));

function route(location: Location): ComponentChildren {
  const { path, params } = location;
  const [, kind, id] = path.split("/").map((part) => decodeURIComponent(part));
  if (path === "/") return <Home />;
  if (path === "/search") return <Search params={params} />;
  if (path === "/map") return <MapView params={params} />;
  if (path === "/my") return <Mine params={params} />;
  if (id && path.split("/").length === 3) {
    if (kind === "practice") return <PracticeView id={id} />;
    if (kind === "pes") return <PesView id={id} params={params} />;
    if (kind === "theme") return <ThemeView id={id} params={params} />;
    if (kind === "event") return <EventView id={id} />;
    if (kind === "project") return <ProjectView id={id} />;
  }
  return <NotFound />;
}

function LanguagePicker() {
  const { lang, t } = useI18n();
  const change = (event: Event) => {
    const url = new URL(window.location.href);
    const value = (event.target as HTMLSelectElement).value;
    if (value === "en") url.searchParams.delete("lang");
    else url.searchParams.set("lang", value);
    navigate(url.pathname + url.search, true, false);
  };
  return (
    <label class="lang">
      <span>{t("language")}</span>{" "}
      <select value={lang} onChange={change}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Header(props: { path: string }) {
  const { t } = useI18n();
  const current = (prefix: string) =>
    (prefix === "/" ? props.path === "/" : props.path.startsWith(prefix)) ? ("page" as const) : undefined;
  return (
    <header class="top">
      <a class="skip" href="#main">
        {t("skip")}
      </a>
      <Link href="/" class="brand">
        {t("appName")}
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link href="/" aria-current={current("/")}>
              {t("navHome")}
            </Link>
          </li>
          <li>
            <Link href="/search" aria-current={current("/search")}>
              {t("navSearch")}
            </Link>
          </li>
          <li>
            <Link href="/map" aria-current={current("/map")}>
              {t("navMap")}
            </Link>
          </li>
          <li>
            <Link href="/my" aria-current={current("/my")}>
              {t("navMine")}
            </Link>
          </li>
        </ul>
      </nav>
      <LanguagePicker />
    </header>
  );
}

export function App() {
  const location = useLocation();
  const lang: Lang = asLang(location.params.get("lang"));
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  document.documentElement.lang = lang;
  return (
    <I18n.Provider value={i18n}>
      <Header path={location.path} />
      <main id="main" tabIndex={-1}>
        {route(location)}
      </main>
      <footer class="bottom">
        <a href="/dataset" data-external="">
          Dataset
        </a>{" "}
        · <a href="/graphql" data-external="">GraphQL</a> · <a href="/sparql" data-external="">SPARQL</a>
      </footer>
    </I18n.Provider>
  );
}
