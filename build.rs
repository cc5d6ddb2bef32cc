//! Compiles the message catalogues (`locales/*.json`, crate `asm-catalogues`): the `Msg` enum and
//! the English texts for `src/i18n.rs`, and every other locale's shipped file (for the browser
//! tests; `cargo xtask bundle` writes the same files into the bundle). A catalogue that does
//! not match English fails the build. Also the stylesheet, minified for the wasm.

use std::path::PathBuf;

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=style/overlay.css");
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let (en, others) = asm_catalogues::compile_dir(std::path::Path::new("locales"))?;
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("messages.rs", &asm_catalogues::rust(&en)?)?;
    for (tag, json) in others {
        write(&format!("{tag}.json"), &json)?;
    }
    let css = std::fs::read_to_string("style/overlay.css").map_err(|e| format!("style: {e}"))?;
    write("overlay.css", &minify_css(&css))?;
    Ok(())
}

/// `css` without comments and without the spaces CSS does not need: every run of white space
/// becomes one space, none is kept next to `{`, `}` or `;`, nor after a declaration's `:` (a
/// selector never has a space after its `:`), and a block's last `;` goes. The spaces after
/// commas stay: custom properties (`--_accent: var(--asm-accent, #0a6ed1)`) keep their text as
/// written. Strings keep their text (the stylesheet has no `;`, braces or `: ` in one). The
/// stylesheet is in the first load's data: −500 B gzip (docs/benchmarks.md, "Overlay
/// payload"); the browser tests check that the browser reads the same rules from it.
fn minify_css(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let glued = out.ends_with(['{', '}', ';', ':']) || word.starts_with(['{', '}', ';']);
        if !out.is_empty() && !glued {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.replace(";}", "}")
}
