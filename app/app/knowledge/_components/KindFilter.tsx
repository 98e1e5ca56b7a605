import Link from "next/link";
import { KNOWLEDGE_KIND_LABELS, KNOWLEDGE_KINDS, type KnowledgeKind } from "../../../lib/knowledge.ts";

/** Tabs: every kind, or one; `counts` next to each when known. */
export function KindFilter({ kind, href, counts, all = true }: { kind: KnowledgeKind | undefined; href: (kind: KnowledgeKind | undefined) => string; counts?: Partial<Record<KnowledgeKind, number | bigint>> | undefined; all?: boolean }) {
  return (
    <nav className="tabs" aria-label="Record kinds">
      {all ? (
        <Link href={href(undefined)} aria-current={kind === undefined ? "page" : undefined}>
          All kinds
        </Link>
      ) : null}
      {KNOWLEDGE_KINDS.map((k) => (
        <Link key={k} href={href(k)} aria-current={k === kind ? "page" : undefined}>
          {KNOWLEDGE_KIND_LABELS[k]}
          {counts?.[k] !== undefined ? ` (${counts[k]})` : ""}
        </Link>
      ))}
    </nav>
  );
}
