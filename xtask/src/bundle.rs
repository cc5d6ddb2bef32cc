//! The release bundle after [`crate::split::build`]: content-hashed names, the loader pointed at
//! them, precompressed `.br` / `.gz` files; and `cargo xtask sizes`' figures and budgets.
//!
//! Trunk builds `dist/` with fixed names (`filehash = false`), so that a plain `trunk build`
//! (or `trunk serve`) gives a working bundle. [`finish`] then renames the glue and the wasm to
//! `asm-overlay-<hash>.js` / `asm-overlay-<hash>_bg.wasm`, where `<hash>` is the first 16 hex
//! digits of the SHA-256 of both files, and writes the new names into the glue (its default wasm
//! URL), the loader and `index.html`. The middleware serves the hashed files as immutable and the
//! loader with a short max-age: a browser never mixes pieces of two releases.

use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::split::LINK;

/// The loader a storefront embeds (its name never changes).
pub const LOADER: &str = "asm-loader.js";
/// Trunk's names for the glue and the wasm.
const GLUE: &str = "asm-overlay.js";
const WASM: &str = "asm-overlay_bg.wasm";
/// Files that get precompressed variants.
const COMPRESSED: &[&str] = &["js", "wasm", "ts", "html", "json"];

/// The fixed name of a locale's catalogue in `dist` before [`finish`] (the loader names it so).
pub fn catalogue_name(tag: &str) -> String {
    format!("asm-locale-{tag}.json")
}

/// Gzipped loader budget, bytes (checked by `cargo xtask sizes`): the loader minified by esbuild
/// was 880 B on 2026-12-03 (1,174 B unminified), with the early session request.
pub const LOADER_BUDGET_GZ: usize = 1_000;
/// Gzipped first load (loader, glue, main wasm, link module) budget, bytes: what was measured
/// when the budget was set plus about 1 %: 191,021 B on 2026-12-06, without core's float
/// formatting (serde's error texts, `f64::clamp`'s assertion), with the stylesheet minified,
/// without serde-wasm-bindgen's string cache and with the address decoded by the browser
/// (204,411 B with the languages of issue 16 on 2026-12-03, 188,613 B before them, 193,762 B
/// on 2026-12-02, 239,825 B before the desk's chunk, 428,170 B unsplit; docs/benchmarks.md).
pub const FIRST_LOAD_BUDGET_GZ: usize = 193_000;
/// Gzipped budget of everything (first load and all chunks), bytes: what was measured when the
/// budget was set plus about 1 %: 433,508 B on 2026-12-06 (446,842 B on 2026-12-03 with every
/// view in three languages; 434,759 B before the languages; chunks compress apart and repeat
/// some code).
pub const TOTAL_BUDGET_GZ: usize = 438_000;
/// Gzipped budget of each locale's catalogue (fetched by that locale's agents only): the German
/// and Arabic ones of the bar's own views were 1,473 and 1,590 B on 2026-12-03; the views of the
/// chunks will about triple them.
pub const CATALOGUE_BUDGET_GZ: usize = 6_000;
/// Issue 13's targets, not yet met: the first load (until the sign-in form works), bytes.
const FIRST_LOAD_TARGET_GZ: usize = 120_000;
const FIRST_LOAD_TARGET_BR: usize = 100_000;
/// … and everything (all chunks), gzip.
const TOTAL_TARGET_GZ: usize = 250_000;

type Step = Result<(), String>;

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Step {
    fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// `bytes` gzipped at level 9, with no time stamp (the same input gives the same file).
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut enc = GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), Compression::best());
    enc.write_all(bytes).map_err(|e| format!("gzip: {e}"))?;
    enc.finish().map_err(|e| format!("gzip: {e}"))
}

/// `bytes` brotli-compressed at quality 11 with a 16 MB window.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut enc = brotli::CompressorWriter::new(&mut out, 1 << 16, 11, 24);
        enc.write_all(bytes).map_err(|e| format!("brotli: {e}"))?;
        enc.flush().map_err(|e| format!("brotli: {e}"))?;
    }
    Ok(out)
}

/// The first 16 hex digits of the SHA-256 of `parts`.
fn hash_of(parts: &[&[u8]]) -> String {
    let mut sha = Sha256::new();
    for part in parts {
        sha.update(part);
    }
    sha.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `haystack` with every `from` replaced by `to` (bytes); fails when `from` is not there.
fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8], what: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    let mut found = false;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
        found = true;
    }
    out.extend_from_slice(rest);
    if found {
        Ok(out)
    } else {
        Err(format!(
            "{what} does not name {}",
            String::from_utf8_lossy(from)
        ))
    }
}

/// Hashes, renames and precompresses the build in `dist` (fixed names). Returns the hashed glue
/// and wasm names. A split build ([`crate::split`]) also has the link module [`LINK`] and its
/// chunks (`*.wasm`): each chunk is named after its own content
/// (`asm-<chunk>-<hash>_bg.wasm`, written into the link module); the glue, the main wasm and
/// the link module (`asm-split-<hash>.js`, named in the glue and in the main wasm's imports)
/// share one hash of everything.
pub fn finish(dist: &Path) -> Result<(String, String), String> {
    let glue_path = dist.join(GLUE);
    let wasm_path = dist.join(WASM);
    let link_path = dist.join(LINK);
    let glue =
        fs::read_to_string(&glue_path).map_err(|e| format!("{}: {e}", glue_path.display()))?;
    let wasm = read(&wasm_path)?;
    let link = if link_path.exists() {
        Some(fs::read_to_string(&link_path).map_err(|e| format!("{}: {e}", link_path.display()))?)
    } else {
        None
    };
    let mut chunks = Vec::new();
    for path in files(dist)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if let Some(stem) = name.strip_suffix(".wasm") {
            if name != WASM {
                chunks.push((path.clone(), stem.to_owned(), read(&path)?));
            }
        }
    }
    if link.is_none() && !chunks.is_empty() {
        return Err(format!("chunks in {} but no {LINK}", dist.display()));
    }
    let mut parts: Vec<&[u8]> = vec![&wasm, glue.as_bytes()];
    if let Some(link) = &link {
        parts.push(link.as_bytes());
    }
    for (_, _, bytes) in &chunks {
        parts.push(bytes);
    }
    let hash = hash_of(&parts);
    let glue_name = format!("asm-overlay-{hash}.js");
    let wasm_name = format!("asm-overlay-{hash}_bg.wasm");
    let link_name = format!("asm-split-{hash}.js");
    if !glue.contains(WASM) {
        return Err(format!("the glue does not name {WASM}"));
    }
    let loader_path = dist.join(LOADER);
    let loader =
        fs::read_to_string(&loader_path).map_err(|e| format!("{}: {e}", loader_path.display()))?;
    // esbuild's minified loader (split.rs) quotes with double quotes.
    let quoted = format!("\"./{GLUE}\"");
    if !loader.contains(&quoted) {
        return Err(format!("{} does not name {quoted}", loader_path.display()));
    }
    // Each locale's catalogue after its content; the loader names them for the overlay.
    let mut loader = loader;
    for path in files(dist)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(tag) = name
            .strip_prefix("asm-locale-")
            .and_then(|n| n.strip_suffix(".json"))
            .filter(|t| !t.contains('-'))
        else {
            continue;
        };
        let bytes = read(&path)?;
        let hashed = format!("asm-locale-{tag}-{}.json", hash_of(&[&bytes]));
        let old = format!("\"./{name}\"");
        if !loader.contains(&old) {
            return Err(format!("{} does not name {old}", loader_path.display()));
        }
        loader = loader.replace(&old, &format!("\"./{hashed}\""));
        fs::rename(&path, dist.join(&hashed)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut glue = glue.replace(WASM, &wasm_name);
    let mut wasm = wasm;
    if let Some(link) = link {
        if !glue.contains(LINK) {
            return Err(format!("the glue does not import {LINK}"));
        }
        glue = glue.replace(LINK, &link_name);
        wasm = replace_bytes(&wasm, LINK.as_bytes(), link_name.as_bytes(), WASM)?;
        let main = format!("\"./{GLUE}\"");
        if !link.contains(&main) {
            return Err(format!("{LINK} does not import {main}"));
        }
        let mut link = link.replace(&main, &format!("\"./{glue_name}\""));
        for (path, stem, bytes) in &chunks {
            let chunk_name = format!("asm-{stem}-{}_bg.wasm", hash_of(&[bytes]));
            let old = format!("\"./{stem}.wasm\"");
            if !link.contains(&old) {
                return Err(format!("{LINK} does not name {old}"));
            }
            link = link.replace(&old, &format!("\"./{chunk_name}\""));
            fs::rename(path, dist.join(&chunk_name))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        write(&dist.join(&link_name), link.as_bytes())?;
        fs::remove_file(&link_path).map_err(|e| format!("{}: {e}", link_path.display()))?;
    }
    write(&dist.join(&glue_name), glue.as_bytes())?;
    write(&dist.join(&wasm_name), &wasm)?;
    fs::remove_file(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    fs::remove_file(&glue_path).map_err(|e| format!("{}: {e}", glue_path.display()))?;
    write(
        &loader_path,
        loader
            .replace(&quoted, &format!("\"./{glue_name}\""))
            .as_bytes(),
    )?;
    let index = dist.join("index.html");
    if index.exists() {
        let text = fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
        write(
            &index,
            text.replace(WASM, &wasm_name)
                .replace(GLUE, &glue_name)
                .as_bytes(),
        )?;
    }
    for path in files(dist)? {
        let compress = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSED.contains(&e));
        if compress {
            let raw = read(&path)?;
            let modified = fs::metadata(&path)
                .and_then(|m| m.modified())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            for (ext, bytes) in [("gz", gzip(&raw)?), ("br", brotli(&raw)?)] {
                let out = variant(&path, ext);
                write(&out, &bytes)?;
                // The same Last-Modified whichever encoding the middleware sends.
                fs::File::options()
                    .write(true)
                    .open(&out)
                    .and_then(|f| f.set_modified(modified))
                    .map_err(|e| format!("{}: {e}", out.display()))?;
            }
        }
    }
    println!(
        "xtask: bundle {glue_name}, {wasm_name}, {} chunk(s), .br and .gz variants",
        chunks.len()
    );
    Ok((glue_name, wasm_name))
}

/// `path` with `.ext` appended (`a.js` → `a.js.gz`).
fn variant(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// The plain files of `dir` (no folders), sorted.
fn files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// The one file of `dist` whose name is `asm-overlay-<hash><suffix>`.
fn hashed(dist: &Path, suffix: &str) -> Result<String, String> {
    let mut found = Vec::new();
    for path in files(dist)? {
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            let hash = name
                .strip_prefix("asm-overlay-")
                .and_then(|rest| rest.strip_suffix(suffix));
            if hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit())) {
                found.push(name.to_owned());
            }
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no asm-overlay-<hash>{suffix} in {} (run `cargo xtask bundle`)",
            dist.display()
        )),
        _ => Err(format!("several asm-overlay-<hash>{suffix}: {found:?}")),
    }
}

/// Raw, gzip and brotli sizes of `path`: the precompressed variants' when they are there.
fn measure(path: &Path) -> Result<(usize, usize, usize), String> {
    let raw = read(path)?;
    let size = |ext: &str, f: fn(&[u8]) -> Result<Vec<u8>, String>| -> Result<usize, String> {
        match fs::metadata(variant(path, ext)) {
            Ok(m) => Ok(m.len() as usize),
            Err(_) => Ok(f(&raw)?.len()),
        }
    };
    Ok((raw.len(), size("gz", gzip)?, size("br", brotli)?))
}

/// The split build's link module and chunks in `dist` (hashed names), sorted.
fn split_files(dist: &Path, wasm: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut links, mut chunks) = (Vec::new(), Vec::new());
    for path in files(dist)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if name.starts_with("asm-split-") && name.ends_with(".js") {
            links.push(name.to_owned());
        } else if name.starts_with("asm-") && name.ends_with("_bg.wasm") && name != wasm {
            chunks.push(name.to_owned());
        }
    }
    Ok((links, chunks))
}

/// Prints raw / gzip / brotli per file, the first load (loader, glue, main wasm, link module:
/// what the sign-in form needs) and everything (with the chunks); fails when the loader, the
/// first load or everything is over its budget; prints the issue's targets and whether they
/// are met.
pub fn sizes(dist: &Path) -> Step {
    let glue = hashed(dist, ".js")?;
    let wasm = hashed(dist, "_bg.wasm")?;
    let (links, chunks) = split_files(dist, &wasm)?;
    let row = |what: &str, (raw, gz, br): (usize, usize, usize)| {
        println!("xtask: size {what:<44} {raw:>9} B raw {gz:>8} B gzip {br:>8} B br");
    };
    let add =
        |a: (usize, usize, usize), b: (usize, usize, usize)| (a.0 + b.0, a.1 + b.1, a.2 + b.2);
    let loader = measure(&dist.join(LOADER))?;
    row(LOADER, loader);
    let mut first = loader;
    for name in [&glue, &wasm].into_iter().chain(&links) {
        let m = measure(&dist.join(name))?;
        row(name, m);
        first = add(first, m);
    }
    row("first load (loader, glue, wasm, link module)", first);
    // A locale's catalogue is fetched on top of the first load, by the agents of that locale.
    let mut catalogues = Vec::new();
    for path in files(dist)? {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with("asm-locale-") && name.ends_with(".json") {
            let m = measure(&path)?;
            row(name, m);
            row("  first load with it", add(first, m));
            catalogues.push((name.to_owned(), m.1));
        }
    }
    let mut total = first;
    for name in &chunks {
        let m = measure(&dist.join(name))?;
        row(name, m);
        total = add(total, m);
    }
    row(&format!("everything ({} chunks)", chunks.len()), total);
    let met = |ok: bool| if ok { "met" } else { "target, not yet met" };
    println!(
        "xtask: first load {} B gzip / {} B br; target ≤ {FIRST_LOAD_TARGET_GZ} B gzip / ≤ {FIRST_LOAD_TARGET_BR} B br: {}",
        first.1,
        first.2,
        met(first.1 <= FIRST_LOAD_TARGET_GZ && first.2 <= FIRST_LOAD_TARGET_BR)
    );
    println!(
        "xtask: everything {} B gzip; target ≤ {TOTAL_TARGET_GZ} B gzip: {}",
        total.1,
        met(total.1 <= TOTAL_TARGET_GZ)
    );
    let mut over = Vec::new();
    if loader.1 > LOADER_BUDGET_GZ {
        over.push(format!(
            "the loader is {} B gzipped, over its {LOADER_BUDGET_GZ} B budget",
            loader.1
        ));
    }
    if first.1 > FIRST_LOAD_BUDGET_GZ {
        over.push(format!(
            "the first load is {} B gzipped, over its {FIRST_LOAD_BUDGET_GZ} B budget",
            first.1
        ));
    }
    for (name, gz) in &catalogues {
        if *gz > CATALOGUE_BUDGET_GZ {
            over.push(format!(
                "{name} is {gz} B gzipped, over its {CATALOGUE_BUDGET_GZ} B budget"
            ));
        }
    }
    if total.1 > TOTAL_BUDGET_GZ {
        over.push(format!(
            "everything is {} B gzipped, over its {TOTAL_BUDGET_GZ} B budget",
            total.1
        ));
    }
    println!(
        "xtask: budgets: loader ≤ {LOADER_BUDGET_GZ} B gzip, first load ≤ {FIRST_LOAD_BUDGET_GZ} B gzip, everything ≤ {TOTAL_BUDGET_GZ} B gzip"
    );
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A fresh folder under the system temp dir.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn fake_dist(name: &str, wasm: &[u8]) -> PathBuf {
        let dir = temp_dir(name);
        fs::write(dir.join(WASM), wasm).unwrap();
        fs::write(
            dir.join(GLUE),
            "export default function init(p) { p ??= new URL('asm-overlay_bg.wasm', import.meta.url); }",
        )
        .unwrap();
        fs::write(
            dir.join(LOADER),
            "const o=await import(\"./asm-overlay.js\");",
        )
        .unwrap();
        fs::write(
            dir.join("index.html"),
            "<script src=\"/asm-overlay/asm-overlay.js\"></script>",
        )
        .unwrap();
        dir
    }

    #[test]
    fn finish_hashes_names_points_the_loader_and_glue_at_them_and_precompresses() {
        let dist = fake_dist("finish", b"\0asm one");
        let (glue, wasm) = finish(&dist).unwrap();
        assert!(
            glue.starts_with("asm-overlay-") && glue.ends_with(".js"),
            "{glue}"
        );
        assert_eq!(wasm, glue.replace(".js", "_bg.wasm"));
        assert!(
            !dist.join(GLUE).exists() && !dist.join(WASM).exists(),
            "the fixed names are gone"
        );
        assert_eq!(fs::read(dist.join(&wasm)).unwrap(), b"\0asm one");
        let glue_text = fs::read_to_string(dist.join(&glue)).unwrap();
        assert!(glue_text.contains(&format!("'{wasm}'")), "{glue_text}");
        let loader = fs::read_to_string(dist.join(LOADER)).unwrap();
        assert!(loader.contains(&format!("\"./{glue}\"")), "{loader}");
        let index = fs::read_to_string(dist.join("index.html")).unwrap();
        assert!(index.contains(&glue), "{index}");
        for name in [LOADER, glue.as_str(), wasm.as_str(), "index.html"] {
            let raw = fs::read(dist.join(name)).unwrap();
            let mut gunzipped = Vec::new();
            flate2::read::GzDecoder::new(&fs::read(variant(&dist.join(name), "gz")).unwrap()[..])
                .read_to_end(&mut gunzipped)
                .unwrap();
            assert_eq!(gunzipped, raw, "{name}.gz");
            let mut unbrotlied = Vec::new();
            brotli::Decompressor::new(
                &fs::read(variant(&dist.join(name), "br")).unwrap()[..],
                4096,
            )
            .read_to_end(&mut unbrotlied)
            .unwrap();
            assert_eq!(unbrotlied, raw, "{name}.br");
        }
        assert_eq!(
            hashed(&dist, ".js").unwrap(),
            glue,
            "sizes finds the hashed glue"
        );
        assert_eq!(hashed(&dist, "_bg.wasm").unwrap(), wasm);
        sizes(&dist).unwrap();

        // Another wasm gives other names.
        let other = fake_dist("finish-other", b"\0asm two");
        let (glue2, _) = finish(&other).unwrap();
        assert_ne!(glue2, glue);
        let _ = fs::remove_dir_all(dist);
        let _ = fs::remove_dir_all(other);
    }

    #[test]
    fn finish_names_catalogues_after_their_content_in_the_loader() {
        let dist = fake_dist("catalogues", b"\0asm cat");
        fs::write(
            dist.join(LOADER),
            "const c={de:\"./asm-locale-de.json\"};const o=await import(\"./asm-overlay.js\");",
        )
        .unwrap();
        fs::write(dist.join(catalogue_name("de")), "[\"Anmelden\"]").unwrap();
        finish(&dist).unwrap();
        let hashed = format!("asm-locale-de-{}.json", hash_of(&[b"[\"Anmelden\"]"]));
        assert!(dist.join(&hashed).exists(), "renamed after its content");
        assert!(dist.join(format!("{hashed}.br")).exists(), "precompressed");
        assert!(!dist.join(catalogue_name("de")).exists());
        let loader = fs::read_to_string(dist.join(LOADER)).unwrap();
        assert!(loader.contains(&format!("de:\"./{hashed}\"")), "{loader}");
        // A catalogue the loader does not name would never be fetched.
        let dist = fake_dist("catalogue-unnamed", b"\0asm cat");
        fs::write(dist.join(catalogue_name("ar")), "[]").unwrap();
        assert!(finish(&dist).unwrap_err().contains("asm-locale-ar.json"));
    }

    #[test]
    fn finish_fails_when_the_loader_does_not_name_the_glue() {
        let dist = fake_dist("no-name", b"\0asm");
        fs::write(dist.join(LOADER), "nothing here").unwrap();
        let err = finish(&dist).unwrap_err();
        assert!(err.contains("does not name \"./asm-overlay.js\""), "{err}");
        assert!(
            dist.join(GLUE).exists() && dist.join(WASM).exists(),
            "nothing renamed"
        );
        let _ = fs::remove_dir_all(dist);
    }

    #[test]
    fn finish_names_chunks_after_their_content_and_points_link_module_glue_and_wasm_at_them() {
        let dist = fake_dist(
            "split",
            b"\0asm imports ./asm-split-________________.js here",
        );
        fs::write(
            dist.join(GLUE),
            "import * as i from \"./asm-split-________________.js\"; new URL('asm-overlay_bg.wasm', import.meta.url);",
        )
        .unwrap();
        fs::write(
            dist.join(LINK),
            "import { initSync } from \"./asm-overlay.js\"; f(\"./split_a.wasm\"); f(\"./chunk_1.wasm\");",
        )
        .unwrap();
        fs::write(dist.join("split_a.wasm"), b"\0asm a").unwrap();
        fs::write(dist.join("chunk_1.wasm"), b"\0asm 1").unwrap();
        let (glue, wasm) = finish(&dist).unwrap();
        let hash = &glue["asm-overlay-".len()..glue.len() - ".js".len()];
        let link = format!("asm-split-{hash}.js");
        let chunk_a = format!("asm-split_a-{}_bg.wasm", hash_of(&[b"\0asm a"]));
        let chunk_1 = format!("asm-chunk_1-{}_bg.wasm", hash_of(&[b"\0asm 1"]));
        let link_text = fs::read_to_string(dist.join(&link)).unwrap();
        assert!(link_text.contains(&format!("\"./{glue}\"")), "{link_text}");
        assert!(
            link_text.contains(&format!("\"./{chunk_a}\"")),
            "{link_text}"
        );
        assert!(
            link_text.contains(&format!("\"./{chunk_1}\"")),
            "{link_text}"
        );
        let glue_text = fs::read_to_string(dist.join(&glue)).unwrap();
        assert!(glue_text.contains(&format!("\"./{link}\"")), "{glue_text}");
        let wasm_bytes = fs::read(dist.join(&wasm)).unwrap();
        assert!(
            wasm_bytes.windows(link.len()).any(|w| w == link.as_bytes()),
            "the main wasm imports the hashed link module"
        );
        assert_eq!(fs::read(dist.join(&chunk_a)).unwrap(), b"\0asm a");
        assert!(!dist.join(LINK).exists() && !dist.join("split_a.wasm").exists());
        assert_eq!(
            split_files(&dist, &wasm).unwrap(),
            (vec![link], vec![chunk_1, chunk_a])
        );
        sizes(&dist).unwrap();
        let _ = fs::remove_dir_all(dist);
    }
}
