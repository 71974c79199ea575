//! `decode --batch`: check one token per line of a reader, in parallel, and write one
//! JSON line per token ([`super::render::batch_doc`]) to a writer, in input order.

use std::io::{BufRead, Write};

use anyhow::Context as _;

use super::check::{Checker, Outcome};
use super::render::{batch_doc, error_doc};
use super::verify::KeySet;

/// Lines processed per parallel round.
const CHUNK: usize = 16 * 1024;

/// The lines of a `--batch` file (`-`: stdin), buffered.
pub fn open(file: &str) -> anyhow::Result<Box<dyn BufRead>> {
    if file == "-" {
        return Ok(Box::new(std::io::BufReader::new(std::io::stdin().lock())));
    }
    let f =
        std::fs::File::open(file).with_context(|| format!("cannot open the batch file {file}"))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
}

/// Check every non-blank line of `reader` (named `source` in errors) and write the
/// results to `out` (buffered here). The worst outcome of all lines: a line that does not
/// decode is a finding about the log ([`Outcome::Findings`]), not a failure of the run.
pub fn run(
    reader: impl BufRead,
    out: impl Write,
    source: &str,
    ctx: &Checker,
    keys: &Option<KeySet>,
) -> anyhow::Result<Outcome> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
    let mut worst = Outcome::Clean;
    let mut lines = reader.split(b'\n');
    let mut number = 0usize;
    loop {
        let mut chunk: Vec<(usize, Vec<u8>)> = Vec::with_capacity(CHUNK);
        for line in lines.by_ref() {
            let line = line.with_context(|| format!("cannot read the batch input {source}"))?;
            number += 1;
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            chunk.push((number, line));
            if chunk.len() == CHUNK {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let per = chunk.len().div_ceil(threads);
        let results: Vec<(Vec<u8>, Outcome)> = if threads == 1 || chunk.len() < 64 {
            vec![batch_part(&chunk, ctx, keys)]
        } else {
            std::thread::scope(|s| {
                let handles: Vec<_> = chunk
                    .chunks(per)
                    .map(|part| s.spawn(move || batch_part(part, ctx, keys)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            (
                                b"{\"error\":{\"code\":\"internal\",\"message\":\"a worker thread failed\"}}\n"
                                    .to_vec(),
                                Outcome::Unusable,
                            )
                        })
                    })
                    .collect()
            })
        };
        for (text, outcome) in results {
            out.write_all(&text)?;
            worst = worst.worse(outcome);
        }
    }
    out.flush()?;
    Ok(worst)
}

fn batch_part(
    lines: &[(usize, Vec<u8>)],
    ctx: &Checker,
    keys: &Option<KeySet>,
) -> (Vec<u8>, Outcome) {
    let mut out: Vec<u8> = Vec::with_capacity(lines.len() * 700);
    let mut worst = Outcome::Clean;
    for (n, bytes) in lines {
        let text = String::from_utf8_lossy(bytes);
        let (written, outcome) = match super::decode(&text) {
            // A malformed line is a finding about the log, not a failure of the run.
            Err(e) => (
                serde_json::to_writer(&mut out, &error_doc(Some(*n), &e)),
                Outcome::Findings,
            ),
            Ok(d) => {
                let c = ctx.check(d, Ok(keys));
                let outcome = c.outcome();
                (
                    serde_json::to_writer(&mut out, &batch_doc(&c, *n, ctx.registry.is_some())),
                    outcome,
                )
            }
        };
        if let Err(e) = written {
            let _ = write!(
                out,
                "{{\"line\":{n},\"error\":{{\"code\":\"internal\",\"message\":{:?}}}}}",
                e.to_string()
            );
        }
        out.push(b'\n');
        worst = worst.worse(outcome);
    }
    (out, worst)
}
