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
const MAX_CACHED = 100;

export function forget(): void {
  cache.clear();
}

export function useQuery<T, V>(
  doc: TypedDocumentString<T, V>,
  variables: V,
  options: { skip?: boolean; token?: string | null } = {},
): State<T> & { reload: () => void } {
  const hash = (doc as unknown as { __meta__?: { hash?: string } }).__meta__?.hash ?? String(doc);
  const key = `${hash} ${JSON.stringify(variables)} ${options.token ?? ""}`;
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
    request(doc, variables, { token: options.token }).then(
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
