import { PracticeCard } from "../components/cards";
import { Chips, EntityLink, External, Failure, Loading, NotFound, Section, Title } from "../components/common";
import { type AgentLinkFragment, EventDocument, ProjectDocument } from "../gql/graphql";
import { useI18n } from "../i18n";
import { useQuery } from "../query";

function Agents(props: { title: string; id: string; agents: AgentLinkFragment[] }) {
  if (!props.agents.length) return null;
  return (
    <Section title={props.title} id={props.id}>
      <ul class="agents">
        {props.agents.map((a) => (
          <li key={a.iri}>
            <EntityLink iri={a.iri}>{a.label}</EntityLink>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function dates(start?: string | null, end?: string | null): string {
  return start && end && end !== start ? `${start} – ${end}` : start ?? end ?? "";
}

export function EventView(props: { id: string }) {
  const { t, lang } = useI18n();
  const { data, error, reload } = useQuery(EventDocument, { id: props.id, lang });
  if (error) return <Failure error={error} retry={reload} />;
  if (!data) return <Loading />;
  const event = data.event;
  if (!event) return <NotFound entity />;
  return (
    <article class="entity event">
      <Title text={event.name} />
      <dl class="facts">
        {event.eventType && (
          <div>
            <dt>{t("eventType")}</dt>
            <dd>{event.eventType.label}</dd>
          </div>
        )}
        {(event.startDate || event.endDate) && (
          <div>
            <dt>{t("dates")}</dt>
            <dd>{dates(event.startDate, event.endDate)}</dd>
          </div>
        )}
        {event.location && (
          <div>
            <dt>{t("location")}</dt>
            <dd>{event.location}</dd>
          </div>
        )}
        {event.project && (
          <div>
            <dt>{t("project")}</dt>
            <dd>
              <EntityLink iri={event.project.iri}>{event.project.name}</EntityLink>
            </dd>
          </div>
        )}
      </dl>
      {event.description && <p class="abstract">{event.description}</p>}
      <Chips items={event.themes.nodes} label={t("themes")} />
      <div class="columns">
        <div>
          <Agents title={t("organizers")} id="e-organizers" agents={event.organizers.nodes} />
          <Agents title={t("hosts")} id="e-hosts" agents={event.hosts.nodes} />
          <Agents title={t("moderators")} id="e-moderators" agents={event.moderators.nodes} />
          <Agents title={t("participants")} id="e-participants" agents={event.participants.nodes} />
        </div>
        <Section title={`${t("practicesPresented")} (${event.practices.totalCount})`} id="e-practices">
          <div class="cards">
            {event.practices.nodes.map((p) => (
              <PracticeCard key={p.iri} practice={p} />
            ))}
          </div>
        </Section>
      </div>
      {event.sources.length > 0 && (
        <Section title={t("sources")} id="e-sources">
          <ul class="sources">
            {event.sources.map((s) => (
              <li key={s}>
                <External href={s} />
              </li>
            ))}
          </ul>
        </Section>
      )}
    </article>
  );
}

export function ProjectView(props: { id: string }) {
  const { t, lang } = useI18n();
  const { data, error, reload } = useQuery(ProjectDocument, { id: props.id, lang });
  if (error) return <Failure error={error} retry={reload} />;
  if (!data) return <Loading />;
  const project = data.project;
  if (!project) return <NotFound entity />;
  return (
    <article class="entity project">
      <Title text={project.name} />
      {project.startDate && (
        <p class="meta">
          {t("started")}: {project.startDate}
        </p>
      )}
      {project.description && <p class="abstract">{project.description}</p>}
      <Chips items={project.themes.nodes} label={t("themes")} />
      {project.phases.nodes.length > 0 && (
        <Section title={t("phases")} id="pr-phases">
          <ol class="phases">
            {project.phases.nodes.map((phase) => (
              <li key={phase.iri}>
                <h3>
                  {phase.name} <span class="meta">{dates(phase.startDate, phase.endDate)}</span>
                </h3>
                {phase.steps.nodes.length > 0 && (
                  <p>
                    {t("steps")}: {phase.steps.nodes.map((s) => s.name).join(", ")}
                  </p>
                )}
                {phase.achievements.nodes.length > 0 && (
                  <>
                    <h4>{t("achievements")}</h4>
                    <ul>
                      {phase.achievements.nodes.map((a) => (
                        <li key={a.iri}>{a.name}</li>
                      ))}
                    </ul>
                  </>
                )}
              </li>
            ))}
          </ol>
        </Section>
      )}
      {project.steps.nodes.length > 0 && (
        <Section title={t("steps")} id="pr-steps">
          <ol>
            {project.steps.nodes.map((s) => (
              <li key={s.iri}>{s.name}</li>
            ))}
          </ol>
        </Section>
      )}
      <div class="columns">
        <Section title={t("partners")} id="pr-partners">
          <ul>
            {project.partners.nodes.map((m) => (
              <li key={m.iri}>
                {m.member && <EntityLink iri={m.member.iri}>{m.member.label}</EntityLink>}
                {m.role && <span> · {m.role.label}</span>}
              </li>
            ))}
          </ul>
        </Section>
        <Section title={t("events")} id="pr-events">
          <ul>
            {project.events.nodes.map((e) => (
              <li key={e.iri}>
                <EntityLink iri={e.iri}>{e.name}</EntityLink> <span class="meta">{[e.startDate, e.location].filter(Boolean).join(" · ")}</span>
              </li>
            ))}
          </ul>
        </Section>
      </div>
      {project.sources.length > 0 && (
        <Section title={t("sources")} id="pr-sources">
          <ul class="sources">
            {project.sources.map((s) => (
              <li key={s}>
                <External href={s} />
              </li>
            ))}
          </ul>
        </Section>
      )}
    </article>
  );
}
