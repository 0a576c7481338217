//! Running the `sgdlab` binary in tests: arguments, a config on standard input, the output.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `sgdlab ARGS` with `stdin` on its standard input and returns its status and output.
pub fn sgdlab(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgdlab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}
