//! Statements and rows for either database, with sqlx's generic bounds named in one place.
//!
//! sqlx can run the same code on any [`Database`] whose connection is an executor and whose
//! types encode and decode, but Rust does not carry such bounds along with a trait: every generic
//! function would have to repeat them. [`SqlDb`] states them once, in its blanket impl, and
//! offers the few operations the tables need (run a statement on a connection, read from a pool,
//! take a column out of a row); code generic over `DB: SqlDb` needs no other bound.

use std::future::Future;

use sqlx::{
    ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Pool, Row as _, Type,
    postgres::PgQueryResult, query::Query, sqlite::SqliteQueryResult,
};

/// A value for one `$n` of a [`Statement`]: the few kinds the tables store.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    MaybeText(Option<&'a str>),
    Bytes(&'a [u8]),
    Bool(bool),
    MaybeBool(Option<bool>),
}

impl From<i64> for Param<'_> {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Self::MaybeText(value)
    }
}

impl<'a> From<&'a [u8]> for Param<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Bytes(value)
    }
}

impl From<bool> for Param<'_> {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<Option<bool>> for Param<'_> {
    fn from(value: Option<bool>) -> Self {
        Self::MaybeBool(value)
    }
}

/// One SQL statement and its values. Placeholders are `$1`, `$2`, ...: PostgreSQL's own form,
/// which SQLite reads too (as named parameters that sqlx binds by their number), so one text
/// serves both databases; a `$n` used twice takes one value.
#[derive(Debug)]
pub(crate) struct Statement<'a> {
    sql: &'static str,
    params: Vec<Param<'a>>,
}

impl<'a> Statement<'a> {
    pub(crate) fn new(sql: &'static str) -> Self {
        Self {
            sql,
            params: Vec::new(),
        }
    }

    /// The statement with `value` as its next `$n`.
    pub(crate) fn bind(mut self, value: impl Into<Param<'a>>) -> Self {
        self.params.push(value.into());
        self
    }
}

/// What a statement that ran to its end reports (each driver has its own type for it).
pub(crate) trait Outcome {
    /// The rows it inserted, changed or deleted.
    fn rows(&self) -> u64;
}

impl Outcome for SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl Outcome for PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

/// A column value as the tables read it back.
pub(crate) trait Cell: Sized {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self>;
}

/// A database the tables run on: SQLite and PostgreSQL (see the module's documentation).
pub(crate) trait SqlDb: Database {
    /// Runs `statement` on `conn` to its end; what it changed.
    fn execute<'c>(
        conn: &'c mut Self::Connection,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Self::QueryResult>> + Send + 'c;

    /// Runs `statement` on `conn`; its first row.
    fn fetch_one<'c>(
        conn: &'c mut Self::Connection,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Self::Row>> + Send + 'c;

    /// Runs `statement` on `conn`; its first row, if any.
    fn fetch_optional<'c>(
        conn: &'c mut Self::Connection,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Row>>> + Send + 'c;

    /// Runs `statement` on a connection of `pool`; its first row, if any.
    fn read_optional<'p>(
        pool: &'p Pool<Self>,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Row>>> + Send + 'p;

    /// Runs `statement` on a connection of `pool`; all its rows.
    fn read_all<'p>(
        pool: &'p Pool<Self>,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Vec<Self::Row>>> + Send + 'p;

    /// The rows a statement changed.
    fn rows_affected(done: &Self::QueryResult) -> u64;

    /// Column `index` of `row`.
    fn get<T: Cell>(row: &Self::Row, index: usize) -> sqlx::Result<T> {
        T::read::<Self>(row, index)
    }

    #[doc(hidden)]
    fn decode_int(row: &Self::Row, index: usize) -> sqlx::Result<i64>;
    #[doc(hidden)]
    fn decode_maybe_int(row: &Self::Row, index: usize) -> sqlx::Result<Option<i64>>;
    #[doc(hidden)]
    fn decode_text(row: &Self::Row, index: usize) -> sqlx::Result<String>;
    #[doc(hidden)]
    fn decode_maybe_text(row: &Self::Row, index: usize) -> sqlx::Result<Option<String>>;
    #[doc(hidden)]
    fn decode_bytes(row: &Self::Row, index: usize) -> sqlx::Result<Vec<u8>>;
    #[doc(hidden)]
    fn decode_bool(row: &Self::Row, index: usize) -> sqlx::Result<bool>;
}

impl<DB> SqlDb for DB
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    DB::QueryResult: Outcome,
    usize: ColumnIndex<DB::Row>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    Vec<u8>: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<bool>: for<'q> Encode<'q, DB> + Type<DB>,
{
    fn execute<'c>(
        conn: &'c mut Self::Connection,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Self::QueryResult>> + Send + 'c {
        let query = bound::<DB>(statement);
        async move { query.execute(conn).await }
    }

    fn fetch_one<'c>(
        conn: &'c mut Self::Connection,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Self::Row>> + Send + 'c {
        let query = bound::<DB>(statement);
        async move { query.fetch_one(conn).await }
    }

    fn fetch_optional<'c>(
        conn: &'c mut Self::Connection,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Row>>> + Send + 'c {
        let query = bound::<DB>(statement);
        async move { query.fetch_optional(conn).await }
    }

    fn read_optional<'p>(
        pool: &'p Pool<Self>,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Row>>> + Send + 'p {
        let query = bound::<DB>(statement);
        async move { query.fetch_optional(pool).await }
    }

    fn read_all<'p>(
        pool: &'p Pool<Self>,
        statement: Statement<'_>,
    ) -> impl Future<Output = sqlx::Result<Vec<Self::Row>>> + Send + 'p {
        let query = bound::<DB>(statement);
        async move { query.fetch_all(pool).await }
    }

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows()
    }

    fn decode_int(row: &Self::Row, index: usize) -> sqlx::Result<i64> {
        row.try_get(index)
    }

    fn decode_maybe_int(row: &Self::Row, index: usize) -> sqlx::Result<Option<i64>> {
        row.try_get(index)
    }

    fn decode_text(row: &Self::Row, index: usize) -> sqlx::Result<String> {
        row.try_get(index)
    }

    fn decode_maybe_text(row: &Self::Row, index: usize) -> sqlx::Result<Option<String>> {
        row.try_get(index)
    }

    fn decode_bytes(row: &Self::Row, index: usize) -> sqlx::Result<Vec<u8>> {
        row.try_get(index)
    }

    fn decode_bool(row: &Self::Row, index: usize) -> sqlx::Result<bool> {
        row.try_get(index)
    }
}

/// `statement` as sqlx's query, its values bound in order (copied: the query owns them).
fn bound<DB>(statement: Statement<'_>) -> Query<'static, DB, DB::Arguments>
where
    DB: Database,
    i64: for<'q> Encode<'q, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    Vec<u8>: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    Option<String>: for<'q> Encode<'q, DB> + Type<DB>,
    Option<bool>: for<'q> Encode<'q, DB> + Type<DB>,
{
    let mut query = sqlx::query(statement.sql);
    for param in statement.params {
        query = match param {
            Param::Int(value) => query.bind(value),
            Param::Text(value) => query.bind(value.to_owned()),
            Param::MaybeText(value) => query.bind(value.map(str::to_owned)),
            Param::Bytes(value) => query.bind(value.to_vec()),
            Param::Bool(value) => query.bind(value),
            Param::MaybeBool(value) => query.bind(value),
        };
    }
    query
}

impl Cell for i64 {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self> {
        DB::decode_int(row, index)
    }
}

impl Cell for Option<i64> {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self> {
        DB::decode_maybe_int(row, index)
    }
}

impl Cell for String {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self> {
        DB::decode_text(row, index)
    }
}

impl Cell for Option<String> {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self> {
        DB::decode_maybe_text(row, index)
    }
}

impl Cell for Vec<u8> {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self> {
        DB::decode_bytes(row, index)
    }
}

impl Cell for bool {
    fn read<DB: SqlDb>(row: &DB::Row, index: usize) -> sqlx::Result<Self> {
        DB::decode_bool(row, index)
    }
}
