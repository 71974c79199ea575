//! The `scopectl` binary: parse arguments, run the command, print an error once, exit
//! with the documented code.

// Only the writer (`commands::out`) prints; everything else goes through it.
#![deny(clippy::print_stdout, clippy::print_stderr)]
// No unwrap/expect outside tests: input a user controls must give an error naming it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod cli;
mod commands;

use std::process::ExitCode;

// Loading a registry and its OpenAPI files is mostly small allocations, freed from other
// threads too: mimalloc does both in about half of glibc's time (README, Performance).
// A one-token `decode` allocates little and is felt by its start-up, where mimalloc costs
// about 0.1 ms: on glibc it runs on the system allocator (see `allocator`).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[global_allocator]
static GLOBAL: allocator::Chosen = allocator::Chosen;

/// One allocator for the whole process, chosen from its arguments before the first
/// allocation: the system allocator for a one-token `decode`, mimalloc for everything else.
///
/// glibc calls the functions in `.init_array` with `argc, argv, envp` before `main` and
/// before Rust's runtime allocates anything (the standard library reads its arguments the
/// same way). The choice is made once: whichever of that function and the first
/// allocation comes first fixes it (the first allocation fixes the system allocator), so
/// every block is freed by the allocator that gave it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod allocator {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::ffi::{c_char, c_int, CStr};
    use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

    const UNDECIDED: u8 = 0;
    const SYSTEM: u8 = 1;
    const MIMALLOC: u8 = 2;
    static CHOICE: AtomicU8 = AtomicU8::new(UNDECIDED);

    /// Whether this process runs on mimalloc: one load and one compare per call.
    #[inline(always)]
    fn mimalloc() -> bool {
        let choice = CHOICE.load(Relaxed);
        if choice != UNDECIDED {
            return choice == MIMALLOC;
        }
        decide_now()
    }

    /// An allocation before `choose` ran fixes the system allocator.
    #[cold]
    #[inline(never)]
    fn decide_now() -> bool {
        CHOICE
            .compare_exchange(UNDECIDED, SYSTEM, Relaxed, Relaxed)
            .is_err_and(|now| now == MIMALLOC)
    }

    /// `decode` of one token (no `--batch`) starts faster on the system allocator.
    fn wants_system(args: &[&[u8]]) -> bool {
        args.contains(&b"decode".as_slice()) && !args.iter().any(|a| a.starts_with(b"--batch"))
    }

    extern "C" fn choose(argc: c_int, argv: *const *const c_char, _envp: *const *const c_char) {
        let mut args: [&[u8]; 64] = [&[]; 64];
        let n = usize::try_from(argc).unwrap_or(0).min(args.len());
        if argv.is_null() {
            return;
        }
        for (i, slot) in args.iter_mut().enumerate().take(n) {
            // SAFETY: glibc passes `argc` valid pointers to NUL-terminated strings.
            let arg = unsafe { *argv.add(i) };
            if arg.is_null() {
                break;
            }
            // SAFETY: as above; the strings live for the whole process.
            *slot = unsafe { CStr::from_ptr(arg) }.to_bytes();
        }
        let choice = if wants_system(&args[..n]) {
            SYSTEM
        } else {
            MIMALLOC
        };
        let _ = CHOICE.compare_exchange(UNDECIDED, choice, Relaxed, Relaxed);
    }

    #[used]
    #[link_section = ".init_array"]
    static CHOOSE: extern "C" fn(c_int, *const *const c_char, *const *const c_char) = choose;

    pub struct Chosen;

    // SAFETY: every call goes to the allocator fixed for the process, which gave the
    // block being freed or resized.
    unsafe impl GlobalAlloc for Chosen {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if mimalloc() {
                mimalloc::MiMalloc.alloc(layout)
            } else {
                System.alloc(layout)
            }
        }
        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            if mimalloc() {
                mimalloc::MiMalloc.alloc_zeroed(layout)
            } else {
                System.alloc_zeroed(layout)
            }
        }
        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if mimalloc() {
                mimalloc::MiMalloc.dealloc(ptr, layout)
            } else {
                System.dealloc(ptr, layout)
            }
        }
        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if mimalloc() {
                mimalloc::MiMalloc.realloc(ptr, layout, new_size)
            } else {
                System.realloc(ptr, layout, new_size)
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::wants_system;

        #[test]
        fn one_token_decode_runs_on_the_system_allocator() {
            assert!(wants_system(&[b"scopectl", b"decode", b"TOKEN"]));
            assert!(wants_system(&[
                b"scopectl",
                b"--color",
                b"never",
                b"decode",
                b"-"
            ]));
            assert!(!wants_system(&[b"scopectl", b"decode", b"--batch", b"log"]));
            assert!(!wants_system(&[b"scopectl", b"decode", b"--batch=log"]));
            assert!(!wants_system(&[b"scopectl", b"lint", b"scopes"]));
        }
    }
}

use clap::Parser;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = match cli::Cli::parse_decode_fast(&args) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(&args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // Help, version and usage errors go through the writer too (usage errors
            // quote argv).
            let out = commands::out::Out::new(scopectl::output::Color::auto(), false);
            let text = match out.color() {
                scopectl::output::Color::Always => e.render().ansi().to_string(),
                scopectl::output::Color::Never => e.render().to_string(),
            };
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = out.text(&text);
                    ExitCode::SUCCESS
                }
                _ => {
                    let _ = out.err(&text);
                    ExitCode::from(2)
                }
            };
        }
    };
    match commands::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(e) => {
            // A closed pipe (`scopectl lint | head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // Errors can quote files, tokens or server answers: nothing in them may drive
            // the terminal.
            commands::out::error(&format!("{e:#}"));
            ExitCode::from(2)
        }
    }
}
