import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../../lib/knowledge.ts";
import { KnowledgeBrowser } from "./_components/KnowledgeBrowser.tsx";

export default async function KnowledgePage({ searchParams }: { searchParams: Promise<{ kind?: string; page?: string }> }) {
  const { kind, page } = await searchParams;
  const selected: KnowledgeKind = KNOWLEDGE_KINDS.find((k) => k === kind) ?? "Model";
  return <KnowledgeBrowser kind={selected} page={Math.max(1, Number.parseInt(page ?? "1", 10) || 1)} />;
}
