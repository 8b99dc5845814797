import { PracticeCard } from "../components/cards";
import { Failure, Link, Loading, Section, Title } from "../components/common";
import { HomeDocument } from "../gql/graphql";
import { useI18n, numberFormat } from "../i18n";
import { useQuery } from "../query";
import { navigate, slug } from "../router";
import { type ThemeNode, themeTree } from "../themes";

export function SearchBox(props: { value?: string; params?: URLSearchParams }) {
  const { t } = useI18n();
  const submit = (event: Event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const text = (form.elements.namedItem("q") as HTMLInputElement).value.trim();
    const params = new URLSearchParams(props.params ?? "");
    params.delete("page");
    if (text) {
      params.set("q", text);
      if (!props.params) params.set("sort", "relevance");
    } else params.delete("q");
    navigate(`/search?${params}`);
  };
  return (
    <form role="search" class="searchbox" onSubmit={submit}>
      <label for="q">{t("searchLabel")}</label>
      <input id="q" name="q" type="search" value={props.value ?? ""} placeholder={t("searchPlaceholder")} />
      <button type="submit">{t("searchButton")}</button>
    </form>
  );
}

function ThemeBranch(props: { nodes: ThemeNode[]; counts: Map<string, number> }) {
  const { lang } = useI18n();
  const number = numberFormat(lang);
  const shown = props.nodes.filter((node) => props.counts.has(node.iri));
  if (!shown.length) return null;
  return (
    <ul>
      {shown.map((node) => (
        <li key={node.iri}>
          <Link href={`/theme/${slug(node.iri)}`}>{node.label}</Link>{" "}
          <Link href={`/search?theme=${slug(node.iri)}`} class="count">
            {number.format(props.counts.get(node.iri) ?? 0)}
          </Link>
          <ThemeBranch nodes={node.children} counts={props.counts} />
        </li>
      ))}
    </ul>
  );
}

export function Home() {
  const { t, lang } = useI18n();
  const { data, error, reload } = useQuery(HomeDocument, { lang });
  const number = numberFormat(lang);
  return (
    <div class="home">
      <Title text={t("appName")} />
      <p class="intro">{t("homeIntro")}</p>
      <SearchBox />
      {error && <Failure error={error} retry={reload} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <ul class="stats" aria-label="Figures">
            <li>
              <strong>{number.format(data.all.totalCount)}</strong> {t("statPractices")}
            </li>
            <li>
              <strong>{number.format(data.pesCount.totalCount)}</strong> {t("statPes")}
            </li>
            <li>
              <strong>{number.format(data.all.facets.countries.length)}</strong> {t("statCountries")}
            </li>
          </ul>
          <div class="columns">
            <Section title={t("themes")} id="home-themes" class="theme-tree">
              <ThemeBranch
                nodes={themeTree(data.themes.nodes)}
                counts={new Map(data.all.facets.themes.map((c) => [c.theme.iri, c.count]))}
              />
            </Section>
            <Section title={t("newest")} id="home-newest">
              <div class="cards">
                {data.newest.nodes.map((practice) => (
                  <PracticeCard key={practice.iri} practice={practice} />
                ))}
              </div>
            </Section>
          </div>
        </>
      )}
    </div>
  );
}
