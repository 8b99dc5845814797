import { cursorAt } from "../api";
import { PracticeCard } from "../components/cards";
import { Chips, Failure, Link, Loading, NotFound, Section, Title } from "../components/common";
import { ThemeDocument } from "../gql/graphql";
import { useI18n, numberFormat } from "../i18n";
import { useQuery } from "../query";
import { slug } from "../router";

const PAGE = 10;

export function ThemeView(props: { id: string; params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const page = Math.max(1, Number(props.params.get("page") ?? "1") || 1);
  const { data, error, reload } = useQuery(ThemeDocument, { id: props.id, lang, first: PAGE, after: cursorAt((page - 1) * PAGE) });
  if (error) return <Failure error={error} retry={reload} />;
  if (!data) return <Loading />;
  const theme = data.theme;
  if (!theme) return <NotFound entity />;
  const pages = Math.ceil(theme.practices.totalCount / PAGE);
  const here = `/theme/${slug(theme.iri)}`;
  const number = numberFormat(lang);
  return (
    <article class="entity theme">
      <Title text={theme.label} />
      {theme.definition && <p class="abstract">{theme.definition}</p>}
      <p>
        <Link href={`/search?theme=${slug(theme.iri)}`}>
          {t("navSearch")}: {t("results", { n: theme.practices.totalCount })}
        </Link>
      </p>
      <div class="columns">
        <div>
          {theme.broader.nodes.length > 0 && (
            <Section title={t("broader")} id="t-broader">
              <Chips items={theme.broader.nodes} label={t("broader")} />
            </Section>
          )}
          {theme.narrower.nodes.length > 0 && (
            <Section title={t("narrower")} id="t-narrower">
              <Chips items={theme.narrower.nodes} label={t("narrower")} />
            </Section>
          )}
          <Section title={t("mostActive")} id="t-active">
            <ol class="ranked">
              {theme.practices.facets.pes.slice(0, 10).map((c) => (
                <li key={c.pes.iri}>
                  <Link href={`/pes/${slug(c.pes.iri)}`}>{c.pes.acronym ? `${c.pes.label} (${c.pes.acronym})` : c.pes.label}</Link>
                  {c.pes.country && <span class="meta"> · {c.pes.country.label}</span>}{" "}
                  <span class="count">{number.format(c.count)}</span>
                </li>
              ))}
            </ol>
          </Section>
        </div>
        <Section title={`${t("practices")} (${number.format(theme.practices.totalCount)})`} id="t-practices">
          <div class="cards">
            {theme.practices.nodes.map((p) => (
              <PracticeCard key={p.iri} practice={p} />
            ))}
          </div>
          {pages > 1 && (
            <nav class="pager" aria-label={t("pagination")}>
              {page > 1 ? <Link href={`${here}?page=${page - 1}`}>← {t("previous")}</Link> : <span />}
              <span>{t("page", { n: page, m: pages })}</span>
              {page < pages ? <Link href={`${here}?page=${page + 1}`}>{t("next")} →</Link> : <span />}
            </nav>
          )}
        </Section>
      </div>
    </article>
  );
}
