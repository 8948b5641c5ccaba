//! `classify --format parquet`: Apache Parquet in the columns of
//! [`super::schema`], written with the parquet crate's low-level column
//! writers (no Arrow). Records are buffered up to a bounded number of rows and
//! bytes ([`Limits`]), then written as one row group, so memory stays bounded
//! whatever the input size; the encoded group goes to the output at once and
//! the footer, with the schema id in its key-value metadata, at the end.
//!
//! The file is encoded into a buffer the writer owns (the parquet crate wants
//! a `Send` sink, and the output need not be one), drained to the output after
//! each row group. Nothing needs a seek, so a pipe works as well as a file.
//! Pages are zstd-compressed, dictionary-encoded where values repeat.

use std::io::{self, Write};
use std::sync::Arc;

use parquet::basic::{
    Compression, LogicalType, Repetition, TimeUnit, TimestampType, Type as Physical, ZstdLevel,
};
use parquet::column::writer::{ColumnWriter, ColumnWriterImpl};
use parquet::data_type::{ByteArray, DataType};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedColumnWriter, SerializedFileWriter};
use parquet::schema::types::{Type, TypePtr};

use super::schema::{COLUMNS, Cell, Column, Kind, Row, SCHEMA_ID, SCHEMA_KEY};
use super::{Classified, RecordWriter};
use crate::redact::Redacted;

/// When buffered rows become a row group.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// At most this many rows.
    pub rows: usize,
    /// At most about this many bytes of row data ([`Classified::size`]).
    pub bytes: usize,
}

impl Limits {
    /// 65,536 rows or 32 MiB: groups large enough for DuckDB and others to
    /// read in parallel, small enough to keep a run's memory flat. A buffered
    /// failure takes about 1.5 KB on the heap: with 64 MiB groups a run over
    /// 917,500 failures peaked at 168 MB, with 32 MiB (groups of ~29k rows)
    /// at 102-108 MB for 65k to 917k failures, against 49 MB for JSON lines.
    pub const DEFAULT: Limits = Limits { rows: 1 << 16, bytes: 32 << 20 };
}

/// Writes records as Parquet row groups.
pub struct ParquetWriter<'w> {
    file: SerializedFileWriter<Vec<u8>>,
    files: &'w [Redacted],
    out: &'w mut dyn Write,
    rows: Vec<Classified>,
    bytes: usize,
    limits: Limits,
}

impl<'w> ParquetWriter<'w> {
    /// A writer to `out` (the file's magic bytes are written at once);
    /// `files` name the sources by index.
    pub fn new(files: &'w [Redacted], out: &'w mut dyn Write, limits: Limits) -> io::Result<Self> {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_created_by(format!("errlens {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(vec![KeyValue::new(
                SCHEMA_KEY.to_string(),
                SCHEMA_ID.to_string(),
            )]))
            .build();
        let file = SerializedFileWriter::new(Vec::new(), schema()?, Arc::new(props))
            .map_err(io::Error::other)?;
        let mut writer = ParquetWriter { file, files, out, rows: Vec::new(), bytes: 0, limits };
        writer.drain()?;
        Ok(writer)
    }

    /// Writes the buffered rows as one row group, and the group to the output.
    fn flush_group(&mut self) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let views = self
            .rows
            .iter()
            .map(|record| super::view(self.files, record))
            .collect::<io::Result<Vec<Row<'_>>>>()?;
        let mut group = self.file.next_row_group().map_err(io::Error::other)?;
        for column in COLUMNS {
            let mut writer = group
                .next_column()
                .map_err(io::Error::other)?
                .ok_or_else(|| io::Error::other(format!("no column chunk for {}", column.name)))?;
            write_column(&mut writer, column, &views)?;
            writer.close().map_err(io::Error::other)?;
        }
        group.close().map_err(io::Error::other)?;
        drop(views);
        self.rows.clear();
        self.bytes = 0;
        self.drain()
    }

    /// Moves what the file writer has encoded so far to the output.
    fn drain(&mut self) -> io::Result<()> {
        self.file.flush()?;
        let encoded = std::mem::take(self.file.inner_mut());
        self.out.write_all(&encoded)
    }
}

impl RecordWriter for ParquetWriter<'_> {
    fn write(&mut self, row: Classified) -> io::Result<()> {
        self.bytes += row.size();
        self.rows.push(row);
        if self.rows.len() >= self.limits.rows || self.bytes >= self.limits.bytes {
            self.flush_group()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush_group()?;
        self.file.finish().map_err(io::Error::other)?;
        self.drain()?;
        self.out.flush()
    }
}

/// The Parquet schema of [`COLUMNS`].
pub fn schema() -> io::Result<TypePtr> {
    let fields = COLUMNS.iter().map(|c| field(c).map(Arc::new)).collect::<io::Result<Vec<_>>>()?;
    Type::group_type_builder("errlens_record")
        .with_fields(fields)
        .build()
        .map(Arc::new)
        .map_err(io::Error::other)
}

/// One column's Parquet type.
fn field(column: &Column) -> io::Result<Type> {
    let (physical, logical) = match column.kind {
        Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
        Kind::Json => (Physical::BYTE_ARRAY, Some(LogicalType::Json)),
        Kind::Int64 => (Physical::INT64, None),
        Kind::Int32 => (Physical::INT32, None),
        Kind::Double => (Physical::DOUBLE, None),
        Kind::Bool => (Physical::BOOLEAN, None),
        Kind::Timestamp => (
            Physical::INT64,
            Some(LogicalType::Timestamp(TimestampType {
                is_adjusted_to_u_t_c: true,
                unit: TimeUnit::MICROS,
            })),
        ),
    };
    let repetition = if column.nullable { Repetition::OPTIONAL } else { Repetition::REQUIRED };
    Type::primitive_type_builder(column.name, physical)
        .with_repetition(repetition)
        .with_logical_type(logical)
        .build()
        .map_err(io::Error::other)
}

/// Writes one column of the group's rows.
fn write_column(
    writer: &mut SerializedColumnWriter<'_>,
    column: &Column,
    rows: &[Row<'_>],
) -> io::Result<()> {
    match (column.kind, writer.untyped()) {
        (Kind::Text | Kind::Json, ColumnWriter::ByteArrayColumnWriter(w)) => {
            put(w, column, rows, |cell| match cell {
                Cell::Text(text) => Some(ByteArray::from(text.into_owned().into_bytes())),
                _ => None,
            })
        }
        (Kind::Int64 | Kind::Timestamp, ColumnWriter::Int64ColumnWriter(w)) => {
            put(w, column, rows, |cell| match cell {
                Cell::Int(n) | Cell::Micros(n) => Some(n),
                _ => None,
            })
        }
        (Kind::Int32, ColumnWriter::Int32ColumnWriter(w)) => {
            put(w, column, rows, |cell| match cell {
                Cell::Int(n) => i32::try_from(n).ok(),
                _ => None,
            })
        }
        (Kind::Double, ColumnWriter::DoubleColumnWriter(w)) => {
            put(w, column, rows, |cell| match cell {
                Cell::Double(f) => Some(f),
                _ => None,
            })
        }
        (Kind::Bool, ColumnWriter::BoolColumnWriter(w)) => {
            put(w, column, rows, |cell| match cell {
                Cell::Bool(b) => Some(b),
                _ => None,
            })
        }
        _ => {
            Err(io::Error::other(format!("column {} has no {:?} writer", column.name, column.kind)))
        }
    }
}

/// Writes the values of one column, with definition levels when it is
/// nullable (1: a value, 0: null). A required column that has no value in a
/// row is an error, never a short column.
fn put<T: DataType>(
    writer: &mut ColumnWriterImpl<'_, T>,
    column: &Column,
    rows: &[Row<'_>],
    value: impl Fn(Cell<'_>) -> Option<T::T>,
) -> io::Result<()> {
    let mut values = Vec::with_capacity(rows.len());
    let mut levels = Vec::with_capacity(if column.nullable { rows.len() } else { 0 });
    for row in rows {
        match value(column.cell(row)) {
            Some(v) if column.nullable => {
                values.push(v);
                levels.push(1);
            }
            Some(v) => values.push(v),
            None if column.nullable => levels.push(0),
            None => {
                return Err(io::Error::other(format!("column {} has a null", column.name)));
            }
        }
    }
    let levels = column.nullable.then_some(levels.as_slice());
    writer.write_batch(&values, levels, None).map_err(io::Error::other)?;
    Ok(())
}
