// Data for a view: one request per distinct (operation, variables), remembered for the session
// so Back and Forward render at once. While a new answer loads, the previous one stays on
// screen (a facet click re-renders the list in place rather than blanking it).
import { useEffect, useState } from "preact/hooks";
import { request } from "./api";
import type { TypedDocumentString } from "./gql/graphql";

interface State<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
}

const cache = new Map<string, unknown>();
const inflight = new Map<string, Promise<unknown>>();
const MAX_CACHED = 100;

function keyOf(doc: unknown, variables: unknown, token?: string | null): string {
  const hash = (doc as { __meta__?: { hash?: string } }).__meta__?.hash ?? String(doc);
  return `${hash} ${JSON.stringify(variables)} ${token ?? ""}`;
}

/** One request per key at a time: a view that mounts while its prefetch is under way waits for it. */
function load<T, V>(doc: TypedDocumentString<T, V>, variables: V, key: string, token: string | null): Promise<T> {
  let pending = inflight.get(key) as Promise<T> | undefined;
  if (!pending) {
    pending = request(doc, variables, { token }).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

/** Start loading what a view will ask for, before the view renders (the first view's list). */
export function prefetch<T, V>(doc: TypedDocumentString<T, V>, variables: V): void {
  const key = keyOf(doc, variables);
  if (!cache.has(key)) load(doc, variables, key, null).then((data) => cache.set(key, data), () => undefined);
}

export function forget(): void {
  cache.clear();
}

export function useQuery<T, V>(
  doc: TypedDocumentString<T, V>,
  variables: V,
  options: { skip?: boolean; token?: string | null } = {},
): State<T> & { reload: () => void } {
  const key = keyOf(doc, variables, options.token);
  const [state, setState] = useState<State<T> & { key: string }>(() => ({
    key,
    data: (cache.get(key) as T | undefined) ?? null,
    error: null,
    loading: !cache.has(key),
  }));
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (options.skip) return;
    const cached = cache.get(key) as T | undefined;
    if (cached !== undefined && generation === 0) {
      setState({ key, data: cached, error: null, loading: false });
      return;
    }
    let live = true;
    setState((previous) => ({ ...previous, key, loading: true, error: null }));
    const fresh = generation === 0 ? load(doc, variables, key, options.token ?? null) : request(doc, variables, { token: options.token });
    fresh.then(
      (data) => {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        if (!options.token) cache.set(key, data);
        if (live) setState({ key, data, error: null, loading: false });
      },
      (error: Error) => live && setState((previous) => ({ ...previous, key, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [key, generation, options.skip]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading || state.key !== key,
    reload: () => setGeneration((n) => n + 1),
  };
}
