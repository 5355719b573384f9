//! Everything the command line writes goes through here. A reader that has gone away (`EPIPE`, as
//! after `| head -1`) is not an error: the rest of the output is skipped quietly and the run ends
//! with its own exit status (0 when the command itself succeeded), as `git` and `ls` do. Any other
//! write failure (a full disk behind `>`) is remembered and reported once when the run ends.

use std::io::{self, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);
static STDOUT_FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Which stream a write goes to.
#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

impl Stream {
    fn gone(self) -> &'static AtomicBool {
        match self {
            Self::Out => &STDOUT_GONE,
            Self::Err => &STDERR_GONE,
        }
    }
}

/// Writes `text` and a newline to stdout.
pub fn out(text: &str) {
    write(Stream::Out, &[text.as_bytes(), b"\n"]);
}

/// Writes bytes to stdout as they are (a completion script).
pub fn out_bytes(bytes: &[u8]) {
    write(Stream::Out, &[bytes]);
}

/// Writes `text` and a newline to stderr.
pub fn err(text: &str) {
    write(Stream::Err, &[text.as_bytes(), b"\n"]);
}

/// Writes `text` to stderr without a newline (a prompt, a progress line).
pub fn err_part(text: &str) {
    write(Stream::Err, &[text.as_bytes()]);
}

/// Whether the reader of stdout has gone away; long listings stop early when it has.
pub fn stdout_gone() -> bool {
    STDOUT_GONE.load(Ordering::Relaxed)
}

fn write(stream: Stream, parts: &[&[u8]]) {
    if stream.gone().load(Ordering::Relaxed) {
        return;
    }
    let result = match stream {
        Stream::Out => write_all(&mut io::stdout().lock(), parts),
        Stream::Err => write_all(&mut io::stderr().lock(), parts),
    };
    match result {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            stream.gone().store(true, Ordering::Relaxed);
        }
        Err(e) => {
            // Nothing more will reach this stream in a useful state; stop writing to it.
            stream.gone().store(true, Ordering::Relaxed);
            if matches!(stream, Stream::Out)
                && let Ok(mut failure) = STDOUT_FAILURE.lock()
            {
                failure.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

fn write_all(w: &mut impl Write, parts: &[&[u8]]) -> io::Result<()> {
    for part in parts {
        w.write_all(part)?;
    }
    w.flush()
}

/// Why stdout failed, if it failed for a reason other than its reader going away (taken once).
pub fn take_stdout_failure() -> Option<String> {
    STDOUT_FAILURE.lock().ok().and_then(|mut f| f.take())
}
