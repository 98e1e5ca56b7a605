import { ProposalList } from "./_components/ProposalList.tsx";

export default function ProposalsPage() {
  return <ProposalList />;
}
