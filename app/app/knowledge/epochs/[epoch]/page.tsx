import { KNOWLEDGE_KINDS } from "../../../../lib/knowledge.ts";
import { EpochView } from "./_components/EpochView.tsx";

export default async function EpochPage({ params, searchParams }: { params: Promise<{ epoch: string }>; searchParams: Promise<{ kind?: string; page?: string }> }) {
  const { epoch } = await params;
  const { kind, page } = await searchParams;
  if (!/^[1-9]\d{0,15}$/.test(epoch)) return <p className="notice bad">“{epoch}” is not an epoch number (epochs count from 1).</p>;
  return <EpochView epoch={Number(epoch)} kind={KNOWLEDGE_KINDS.find((k) => k === kind)} page={Math.max(1, Number.parseInt(page ?? "1", 10) || 1)} />;
}
