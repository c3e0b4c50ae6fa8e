//! The `ils` binary: the command-line tool natively, the browser demo's entry point in
//! WebAssembly.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {
    ils::web::start();
}
