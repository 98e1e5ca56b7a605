import Link from "next/link";

/** Previous / next links over `total` items, `pageSize` a page; `href(page)` builds each page's URL (pages from 1). */
export function Pager({ page, pageSize, total, href }: { page: number; pageSize: number; total: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages" data-testid="pager">
      {page > 1 ? <Link href={href(page - 1)} rel="prev">← Newer</Link> : <span className="muted">← Newer</span>}
      <span className="small">
        Page {page} of {pages} ({total} records)
      </span>
      {page < pages ? <Link href={href(page + 1)} rel="next">Older →</Link> : <span className="muted">Older →</span>}
    </nav>
  );
}
