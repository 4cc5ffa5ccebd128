// Previous/next paging over a total; page numbers start at 1.
export function Pager({ page, perPage, total, onPage }) {
  const pages = Math.max(1, Math.ceil((total || 0) / (perPage || 1)));
  return (
    <div class="pager">
      <button type="button" data-testid="pager-prev" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ‹ Prev
      </button>
      <span>
        page <span data-testid="page">{page}</span> of {pages}
      </span>
      <button type="button" data-testid="pager-next" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}
