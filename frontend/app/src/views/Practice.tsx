import { Recommendation } from "../components/cards";
import { Chips, EntityLink, External, Failure, Loading, NotFound, Section, Title } from "../components/common";
import { PracticeDocument } from "../gql/graphql";
import { useI18n } from "../i18n";
import { lazyView } from "../lazy";
import { useQuery } from "../query";
import { slug } from "../router";

const NeighbourhoodGraph = lazyView(() => import("../graph/Neighbourhood").then((m) => m.NeighbourhoodGraph));

export function PracticeView(props: { id: string }) {
  const { t, lang } = useI18n();
  const { data, error, reload } = useQuery(PracticeDocument, { id: props.id, lang });
  if (error) return <Failure error={error} retry={reload} />;
  if (!data) return <Loading />;
  const practice = data.practice;
  if (!practice) return <NotFound entity />;
  const time = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  return (
    <article class="entity practice">
      <Title text={practice.title} />
      <dl class="facts">
        {practice.pes && (
          <div>
            <dt>{t("pes")}</dt>
            <dd>
              <EntityLink iri={practice.pes.iri}>
                {practice.pes.label}
                {practice.pes.acronym && ` (${practice.pes.acronym})`}
              </EntityLink>
            </dd>
          </div>
        )}
        {practice.country && (
          <div>
            <dt>{t("country")}</dt>
            <dd>
              <a href={`/search?country=${slug(practice.country.iri)}${lang === "en" ? "" : `&lang=${lang}`}`}>{practice.country.label}</a>
              {practice.region && ` · ${practice.region.label}`}
            </dd>
          </div>
        )}
        {practice.date && (
          <div>
            <dt>{t("started")}</dt>
            <dd>{practice.date}</dd>
          </div>
        )}
      </dl>
      {practice.abstract && (
        <Section title={t("abstract")} id="p-abstract">
          <p class="abstract">{practice.abstract}</p>
        </Section>
      )}
      <div class="columns">
        <div>
          <Section title={t("themes")} id="p-themes">
            <Chips items={practice.themes.nodes} label={t("themes")} />
          </Section>
          {practice.targetGroups.nodes.length > 0 && (
            <Section title={t("targetGroups")} id="p-groups">
              <ul class="chips" aria-label={t("targetGroups")}>
                {practice.targetGroups.nodes.map((g) => (
                  <li key={g.iri}>
                    <a href={`/search?tg=${slug(g.iri)}${lang === "en" ? "" : `&lang=${lang}`}`}>{g.label}</a>
                  </li>
                ))}
              </ul>
            </Section>
          )}
          {practice.events.nodes.length > 0 && (
            <Section title={t("events")} id="p-events">
              <ul>
                {practice.events.nodes.map((e) => (
                  <li key={e.iri}>
                    <EntityLink iri={e.iri}>{e.name}</EntityLink> {e.startDate && <span class="meta">({e.startDate})</span>}
                  </li>
                ))}
              </ul>
            </Section>
          )}
          <Section title={t("sources")} id="p-sources">
            <ul class="sources">
              {practice.sources.map((source) => (
                <li key={source}>
                  <External href={source} />
                </li>
              ))}
            </ul>
          </Section>
          <Section title={t("neighbourhood")} id="p-graph">
            <NeighbourhoodGraph practice={practice} />
          </Section>
          <Section title={t("history")} id="p-history">
            {practice.revisions.length === 0 ? (
              <p>{t("noHistory")}</p>
            ) : (
              <ol class="history">
                {practice.revisions.map((r) => (
                  <li key={r.id}>
                    <time dateTime={r.time}>{time.format(new Date(r.time))}</time> · {r.kind.toLowerCase()} ·{" "}
                    {r.agent.name ?? ""} {r.changedFields.length > 0 && <span class="meta">({r.changedFields.join(", ")})</span>}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </div>
        <div>
          <Section title={t("related")} id="p-related">
            {practice.related.nodes.length === 0 ? (
              <p>{t("relatedNone")}</p>
            ) : (
              <ol class="recommendations">
                {practice.related.nodes.map((r) => (
                  <Recommendation
                    key={r.practice.iri}
                    href={`/practice/${slug(r.practice.iri)}`}
                    title={r.practice.title}
                    meta={[r.practice.pes?.acronym ?? r.practice.pes?.label, r.practice.country?.label].filter(Boolean).join(" · ")}
                    score={r.score}
                    reasons={r.reasons}
                    contributions={r.contributions}
                  />
                ))}
              </ol>
            )}
          </Section>
        </div>
      </div>
      <p class="meta">
        <a href={practice.iri.replace(/^https:\/\/w3id\.org\/graphsvc/, "")} data-external="">
          {practice.iri}
        </a>
      </p>
    </article>
  );
}
