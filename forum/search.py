"""Search in the forum: PostgreSQL full-text search where it runs (a stored tsvector column
with a GIN index, see migration 0004), a simple case-insensitive match on the embedded SQLite.

The configuration is 'simple' (lower-cased words, no stemming): PostgreSQL has no Indonesian
stemmer, and an English one would mangle Indonesian words. Every word typed must occur."""

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

CONFIG = "simple"
MAX_QUERY = 100
# PostgreSQL guesses badly how many rows match a word it has no statistics for, and may then
# walk the whole list index testing each row (seconds at a million posts for a word matching
# nothing). So: when every word of the search is common (statistics of the column), the list's
# index is walked (matches are dense, a page fills fast); otherwise up to FEW_MATCHES matching
# ids are read through the GIN index and the page is taken from them.
FEW_MATCHES = 2000
# A search whose rarest word is in at least this share of the rows walks the list's index.
COMMON_SHARE = 0.01

# On PostgreSQL each table has a stored, generated tsvector column (computed by the database
# on every insert and update, so no code can forget it) with a GIN index: migration 0004.
COLUMN = "search_vector"
INDEX_NAME = "forum_question_fts"
QUESTION_VECTOR = f'"forum_question"."{COLUMN}"'
QUESTION_COLUMN_SQL = (
    f"ALTER TABLE forum_question ADD COLUMN IF NOT EXISTS {COLUMN} tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))) STORED"
)
INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON forum_question USING gin ({COLUMN})"

FAQ_INDEX_NAME = "forum_faqentry_fts"
FAQ_VECTOR = f'"forum_faqentry"."{COLUMN}"'
FAQ_COLUMN_SQL = (
    f"ALTER TABLE forum_faqentry ADD COLUMN IF NOT EXISTS {COLUMN} tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || "
    "coalesce(question_text, '') || ' ' || coalesce(answer_text, ''))) STORED"
)
FAQ_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {FAQ_INDEX_NAME} ON forum_faqentry USING gin ({COLUMN})"
)


def clean_query(typed: str) -> str:
    """At most MAX_QUERY characters, no control characters, single spaces."""
    text = "".join(ch if ch.isprintable() else " " for ch in (typed or "")[:MAX_QUERY])
    return " ".join(text.split())


def _rarest_word_share(text: str, table: str) -> float:
    """The share of rows holding the rarest word of the search, from the statistics ANALYZE
    keeps on the column (0 for a word not among its most common ones, or without them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH s AS (
                SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs
                FROM pg_stats WHERE tablename = %s AND attname = %s LIMIT 1
            )
            SELECT min(coalesce(s.freqs[array_position(s.elems, w)], 0))
            FROM s, unnest(tsvector_to_array(to_tsvector('simple'::regconfig, %s))) AS w
            """,
            [table, COLUMN, text],
        )
        row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def _search(
    queryset: QuerySet, typed: str, vector_sql: str, fields: tuple[str, ...], table: str
) -> QuerySet:
    text = clean_query(typed)
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        # vector_sql is a constant of this module (no user text); the query is a parameter.
        vector = RawSQL(vector_sql, [], output_field=SearchVectorField())  # noqa: S611  # nosec B611
        matching = queryset.alias(fts=vector).filter(
            fts=SearchQuery(text, config=CONFIG, search_type="plain")
        )
        if _rarest_word_share(text, table) >= COMMON_SHARE:
            return matching  # dense matches: walking the list's index fills a page fast
        ids = _ids_from_the_text_index(matching)
        if len(ids) <= FEW_MATCHES:
            return queryset.filter(pk__in=ids)
        return matching
    condition = Q()
    for word in text.split()[:10]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)


def _ids_from_the_text_index(matching: QuerySet) -> list:
    """At most FEW_MATCHES + 1 matching ids, read through the GIN index: PostgreSQL's guess of
    how many rows match a word it has no statistics for is far too high, and with a LIMIT it
    would then walk a btree index or the table instead (seconds for a word that matches
    nothing). Plain index scans and sequential scans are switched off for this one query."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off")
        ids = list(matching.order_by().values_list("pk", flat=True)[: FEW_MATCHES + 1])
        cursor.execute("SET LOCAL enable_indexscan TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT")
    return ids


def search_questions(queryset: QuerySet, typed: str) -> QuerySet:
    return _search(queryset, typed, QUESTION_VECTOR, ("title", "body"), "forum_question")


def search_faq(queryset: QuerySet, typed: str) -> QuerySet:
    fields = ("title", "question_text", "answer_text")
    return _search(queryset, typed, FAQ_VECTOR, fields, "forum_faqentry")
