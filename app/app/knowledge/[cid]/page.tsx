import { CID } from "multiformats/cid";
import { RecordPermalink } from "./_components/RecordPermalink.tsx";

export default async function RecordPage({ params }: { params: Promise<{ cid: string }> }) {
  const { cid } = await params;
  let parsed: string;
  try {
    parsed = CID.parse(decodeURIComponent(cid)).toV1().toString();
  } catch {
    return <p className="notice bad">“{cid}” is not a CID.</p>;
  }
  return <RecordPermalink cid={parsed} />;
}
