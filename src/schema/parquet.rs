//! Reading Parquet that nobody vouches for (a source, a release under `verify`, a drift
//! baseline) without letting a malformed file take the process down.
//!
//! Polars' Parquet decoder trusts what a file declares: fuzzing (`fuzz/RUNS.md`) found
//! malformed files that make it panic (thrift fields out of range, inconsistent page and
//! dictionary lengths, struct children of the wrong length) and one that makes it abort: a data
//! page declaring a negative value count, cast to a size of 2^61 bytes. A panic can be caught;
//! an allocation failure cannot. So [`read`] first walks the file's structure (footer, row
//! groups, column chunks and every page header, without decompressing anything) and refuses
//! sizes and counts that are negative, point outside the file or disagree with each other, then
//! decodes under [`crate::error::catch_panic`]. Either way a bad file is an error naming what
//! is wrong, never a panic, an abort or a quoted value.

use std::io::Cursor;

use polars::prelude::*;
use polars_buffer::Buffer;
use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
use polars_parquet::parquet::read::{get_page_iterator, read_metadata};

/// Pages larger than this (compressed) are refused: Polars' own ceiling for one page.
const MAX_PAGE_BYTES: usize = 1 << 30;

/// Read Parquet bytes into a frame, only `columns` when given (those that exist). `Err` says
/// what is wrong with the file, without any of its values.
pub fn read(bytes: &[u8], columns: Option<&[String]>) -> Result<DataFrame, String> {
    read_with_names(bytes, columns).map(|(df, _)| df)
}

/// [`read`], with the names of every column of the file (read or not), in order.
pub fn read_with_names(
    bytes: &[u8],
    columns: Option<&[String]>,
) -> Result<(DataFrame, Vec<String>), String> {
    check_structure(bytes)?;
    crate::error::catch_panic(|| {
        let mut reader = ParquetReader::new(Cursor::new(bytes));
        let all: Vec<String> = reader
            .schema()
            .map_err(|e| polars_message(&e))?
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        if let Some(wanted) = columns {
            let keep: Vec<String> = all.iter().filter(|c| wanted.contains(c)).cloned().collect();
            reader = reader.with_columns(Some(keep));
        }
        Ok((reader.finish().map_err(|e| polars_message(&e))?, all))
    })
    .and_then(|r| r)
    .map_err(|e| format!("not a readable Parquet file: {e}"))
}

/// Walk the footer, the row groups, the column chunks and every page header, refusing what
/// would make the decoder allocate from a nonsense size. Nothing is decompressed.
pub fn check_structure(bytes: &[u8]) -> Result<(), String> {
    let bad = |what: String| format!("not a readable Parquet file: {what}");
    check_footer(bytes).map_err(bad)?;
    let buffer = Buffer::from_vec(bytes.to_vec());
    let len = bytes.len() as u64;
    crate::error::catch_panic(|| -> Result<(), String> {
        let metadata = read_metadata(&mut Cursor::new(buffer.clone()))
            .map_err(|e| format!("its footer is unreadable ({})", first_line(&e.to_string())))?;
        let mut rows_total: u128 = 0;
        for (g, group) in metadata.row_groups.iter().enumerate() {
            let rows = group.num_rows() as u128;
            rows_total += rows;
            for column in group.parquet_columns() {
                let name = column
                    .descriptor()
                    .path_in_schema
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let range = column.byte_range();
                if range.start > range.end || range.end > len {
                    return Err(format!(
                        "row group {g} column `{}` lies outside the file",
                        crate::error::echo(&name)
                    ));
                }
                if column.num_values() < 0 {
                    return Err(format!(
                        "row group {g} column `{}` declares a negative value count",
                        crate::error::echo(&name)
                    ));
                }
                let pages = get_page_iterator(
                    column,
                    Cursor::new(buffer.clone()),
                    Vec::new(),
                    MAX_PAGE_BYTES,
                )
                .map_err(|e| first_line(&e.to_string()))?;
                let mut values: u128 = 0;
                for page in pages {
                    let page = page.map_err(|e| {
                        format!(
                            "row group {g} column `{}`: {}",
                            crate::error::echo(&name),
                            first_line(&e.to_string())
                        )
                    })?;
                    let CompressedPage::Data(page) = page else {
                        continue;
                    };
                    let counts: &[i32] = match page.header() {
                        DataPageHeader::V1(h) => &[h.num_values],
                        DataPageHeader::V2(h) => &[
                            h.num_values,
                            h.num_nulls,
                            h.num_rows,
                            h.definition_levels_byte_length,
                            h.repetition_levels_byte_length,
                        ],
                    };
                    if counts.iter().any(|c| *c < 0) {
                        return Err(format!(
                            "row group {g} column `{}` has a page declaring a negative count",
                            crate::error::echo(&name)
                        ));
                    }
                    values += counts[0] as u128;
                }
                // Every row holds at least one value (a null or an empty list included).
                if values < rows {
                    return Err(format!(
                        "row group {g} declares {rows} rows but column `{}` holds {values} values",
                        crate::error::echo(&name)
                    ));
                }
            }
        }
        if rows_total != metadata.num_rows as u128 {
            return Err(format!(
                "the footer declares {} rows but its row groups {rows_total}",
                metadata.num_rows
            ));
        }
        Ok(())
    })
    .and_then(|r| r)
    .map_err(bad)
}

/// The footer's thrift (compact protocol) walked without decoding it: every list, set, map and
/// string must fit in the bytes left, and nesting stays under 64 levels. The decoder sizes its
/// vectors from these declared lengths before reading them, so a footer declaring a list of
/// 2^28 row groups in a few bytes would make it abort.
fn check_footer(bytes: &[u8]) -> Result<(), String> {
    let n = bytes.len();
    if n < 12 || &bytes[..4] != b"PAR1" || &bytes[n - 4..] != b"PAR1" {
        return Err("no PAR1 magic at its start and end".into());
    }
    let footer_len =
        u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]) as usize;
    if footer_len > n - 12 {
        return Err(format!(
            "its footer declares {footer_len} bytes, more than the file holds"
        ));
    }
    let mut walk = Thrift {
        buf: &bytes[n - 8 - footer_len..n - 8],
        pos: 0,
    };
    walk.skip(STRUCT, 0)
        .map_err(|e| format!("its footer is malformed ({e})"))
}

const STRUCT: u8 = 12;

/// A cursor over thrift compact-protocol bytes that skips values, checking lengths.
struct Thrift<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Thrift<'_> {
    fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.pos).ok_or("it ends inside a value")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a variable-length integer runs over 10 bytes".into())
    }

    fn advance(&mut self, len: u64) -> Result<(), String> {
        if len > self.left() as u64 {
            return Err(format!(
                "a value declares {len} bytes with {} left",
                self.left()
            ));
        }
        self.pos += len as usize;
        Ok(())
    }

    /// A count of elements: each takes at least one byte, so it cannot exceed what is left.
    fn count(&mut self, count: u64) -> Result<u64, String> {
        if count > self.left() as u64 {
            return Err(format!(
                "a collection declares {count} elements with {} bytes left",
                self.left()
            ));
        }
        Ok(count)
    }

    /// Skip one value of compact type `ty`.
    fn skip(&mut self, ty: u8, depth: u32) -> Result<(), String> {
        if depth > 64 {
            return Err("values nest more than 64 deep".into());
        }
        match ty {
            1 | 2 => Ok(()),
            3 => self.advance(1),
            4..=6 => self.varint().map(drop),
            7 => self.advance(8),
            8 => {
                let len = self.varint()?;
                self.advance(len)
            }
            9 | 10 => {
                let header = self.byte()?;
                let elem = header & 0x0f;
                let size = match header >> 4 {
                    15 => self.varint()?,
                    s => u64::from(s),
                };
                for _ in 0..self.count(size)? {
                    if matches!(elem, 1 | 2) {
                        self.advance(1)?;
                    } else {
                        self.skip(elem, depth + 1)?;
                    }
                }
                Ok(())
            }
            11 => {
                let size = self.varint()?;
                if size == 0 {
                    return Ok(());
                }
                let kinds = self.byte()?;
                for _ in 0..self.count(size)? {
                    for t in [kinds >> 4, kinds & 0x0f] {
                        if matches!(t, 1 | 2) {
                            self.advance(1)?;
                        } else {
                            self.skip(t, depth + 1)?;
                        }
                    }
                }
                Ok(())
            }
            STRUCT => loop {
                let header = self.byte()?;
                if header == 0 {
                    return Ok(());
                }
                if header >> 4 == 0 {
                    self.varint()?;
                }
                self.skip(header & 0x0f, depth + 1)?;
            },
            other => Err(format!("unknown value type {other}")),
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

/// A Polars error without the data it may quote: its first line, at most 200 characters.
pub fn polars_message(e: &PolarsError) -> String {
    first_line(&e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut df = df!("id" => ["a", "b", "c"], "n" => [1i64, 2, 3]).unwrap();
        crate::schema::parquet_bytes(&mut df).unwrap()
    }

    #[test]
    fn a_good_file_reads() {
        let bytes = sample();
        let (df, names) = read_with_names(&bytes, Some(&["n".to_string()])).unwrap();
        assert_eq!(names, ["id", "n"]);
        assert_eq!(df.get_column_names(), ["n"]);
        assert_eq!(df.height(), 3);
    }

    fn file_with_footer(footer: &[u8]) -> Vec<u8> {
        let mut f = b"PAR1data".to_vec();
        f.extend_from_slice(footer);
        f.extend_from_slice(&(footer.len() as u32).to_le_bytes());
        f.extend_from_slice(b"PAR1");
        f
    }

    #[test]
    fn a_footer_declaring_more_than_it_holds_is_refused_before_decoding() {
        // Field 1, a list of structs declaring 2^28 elements, in 8 bytes: the decoder would
        // size a vector of 2^28 row groups from it and abort.
        let huge = [0x19, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00];
        let e = check_footer(&file_with_footer(&huge)).unwrap_err();
        assert!(e.contains("268435456 elements with 1 bytes left"), "{e}");
        // The same list with one empty struct walks fine.
        assert_eq!(
            check_footer(&file_with_footer(&[0x19, 0x1c, 0x00, 0x00])),
            Ok(())
        );
        // A string longer than the footer, deep nesting, a footer longer than the file.
        let e = check_footer(&file_with_footer(&[0x18, 0xff, 0x01, 0x00])).unwrap_err();
        assert!(e.contains("declares 255 bytes"), "{e}");
        let deep: Vec<u8> = std::iter::repeat_n(0x1c, 100).collect();
        assert!(
            check_footer(&file_with_footer(&deep))
                .unwrap_err()
                .contains("64 deep")
        );
        let mut long = file_with_footer(&[0x00]);
        let n = long.len();
        long[n - 8..n - 4].copy_from_slice(&1000u32.to_le_bytes());
        assert!(
            check_footer(&long)
                .unwrap_err()
                .contains("more than the file holds")
        );
        // And through `read`: a real file cut short, or its footer cut in half.
        let good = sample();
        let n = good.len();
        assert!(read(&good[..n - 1], None).unwrap_err().contains("PAR1"));
        let footer_len = u32::from_le_bytes(good[n - 8..n - 4].try_into().unwrap()) as usize;
        let mut short = good[..n - 8 - footer_len / 2].to_vec();
        short.extend_from_slice(&good[n - 8..]);
        assert!(read(&short, None).is_err());
    }
}
