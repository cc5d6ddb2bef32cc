//! Compiles the message catalogues (`locales/*.json`, crate `asm-catalogues`): the `Msg` enum and
//! the English texts for `src/i18n.rs`, and every other locale's shipped file (for the browser
//! tests; `cargo xtask bundle` writes the same files into the bundle). A catalogue that does
//! not match English fails the build.

use std::path::PathBuf;

fn main() -> Result<(), String> {
    println!("cargo:rerun-if-changed=locales");
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let (en, others) = asm_catalogues::compile_dir(std::path::Path::new("locales"))?;
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("messages.rs", &asm_catalogues::rust(&en)?)?;
    for (tag, json) in others {
        write(&format!("{tag}.json"), &json)?;
    }
    Ok(())
}
