import { KNOWLEDGE_KINDS, type KnowledgeKind } from "../../lib/knowledge.ts";
import { KnowledgeBrowser } from "./_components/KnowledgeBrowser.tsx";

export default async function KnowledgePage({ searchParams }: { searchParams: Promise<{ kind?: string }> }) {
  const { kind } = await searchParams;
  const selected: KnowledgeKind = KNOWLEDGE_KINDS.find((k) => k === kind) ?? "Model";
  return <KnowledgeBrowser kind={selected} />;
}
