import { cursorAt } from "../api";
import { PracticeCard, Recommendation } from "../components/cards";
import { EntityLink, External, Failure, Link, Loading, NotFound, Section, Title } from "../components/common";
import { PesDocument } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useQuery } from "../query";
import { slug } from "../router";

const PAGE = 10;

export function PesView(props: { id: string; params: URLSearchParams }) {
  const { t, lang } = useI18n();
  const page = Math.max(1, Number(props.params.get("page") ?? "1") || 1);
  const { data, error, reload } = useQuery(PesDocument, { id: props.id, lang, first: PAGE, after: cursorAt((page - 1) * PAGE) });
  if (error) return <Failure error={error} retry={reload} />;
  if (!data) return <Loading />;
  const pes = data.pes;
  if (!pes) return <NotFound entity />;
  const pages = Math.ceil(pes.practices.totalCount / PAGE);
  const here = `/pes/${slug(pes.iri)}`;
  return (
    <article class="entity pes">
      <Title text={pes.label} sub={pes.acronym ? `(${pes.acronym})` : undefined} />
      <dl class="facts">
        {pes.country && (
          <div>
            <dt>{t("country")}</dt>
            <dd>
              <Link href={`/search?country=${slug(pes.country.iri)}`}>{pes.country.label}</Link>
            </dd>
          </div>
        )}
        {pes.region && (
          <div>
            <dt>{t("region")}</dt>
            <dd>
              <Link href={`/search?region=${slug(pes.region.iri)}`}>{pes.region.label}</Link>
            </dd>
          </div>
        )}
        {pes.homepage && (
          <div>
            <dt>{t("homepage")}</dt>
            <dd>
              <External href={pes.homepage} />
            </dd>
          </div>
        )}
      </dl>
      {pes.memberships.nodes.length > 0 && (
        <Section title={t("memberships")} id="pes-memberships">
          <ul>
            {pes.memberships.nodes.map((m) => (
              <li key={m.iri}>
                {m.organization && (
                  <EntityLink iri={m.organization.iri}>{m.organization.label}</EntityLink>
                )}
                {m.role && <span> · {m.role.label}</span>}
                {(m.startDate || m.endDate) && (
                  <span class="meta">
                    {" "}
                    ({m.startDate ?? "…"}–{m.endDate ?? ""})
                  </span>
                )}
              </li>
            ))}
          </ul>
        </Section>
      )}
      <div class="columns">
        <Section title={t("peers")} id="pes-peers">
          {pes.peers.nodes.length === 0 ? (
            <p>{t("peersNone")}</p>
          ) : (
            <ol class="recommendations peers">
              {pes.peers.nodes.map((peer) => (
                <Recommendation
                  key={peer.pes.iri}
                  href={`/pes/${slug(peer.pes.iri)}`}
                  title={peer.pes.acronym ? `${peer.pes.label} (${peer.pes.acronym})` : peer.pes.label}
                  meta={peer.pes.country?.label ?? ""}
                  score={peer.score}
                  reasons={peer.reasons}
                  contributions={peer.contributions}
                />
              ))}
            </ol>
          )}
        </Section>
        <Section title={t("recommended")} id="pes-recommended">
          <ol class="recommendations">
            {pes.recommendedPractices.nodes.map((r) => (
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
        </Section>
      </div>
      <Section title={`${t("practices")} (${pes.practices.totalCount})`} id="pes-practices">
        <div class="cards">
          {pes.practices.nodes.map((p) => (
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
    </article>
  );
}
