//! AFL++ entry point of the `parse` harness (see `errlens_fuzz::parse`).

fn main() {
    afl::fuzz!(|data: &[u8]| errlens_fuzz::parse::check(data));
}
