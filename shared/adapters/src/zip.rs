//! ZIP archives of documents (e.g. a training's certificates in one download).

use std::io::{Cursor, Write};

/// The files in one archive, stored without compression (PDFs are compressed already). Names
/// are UTF-8 (Polish names survive); a repeated name gets a counter.
pub fn stored_zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut used = std::collections::HashSet::new();
    for (name, bytes) in files {
        let safe: String =
            name.chars().map(|c| if matches!(c, '/' | '\\' | ':') || c.is_control() { '_' } else { c }).collect();
        let mut unique = safe.clone();
        let mut n = 2;
        while !used.insert(unique.clone()) {
            unique = format!("{n}-{safe}");
            n += 1;
        }
        writer.start_file(unique, options).expect("writing to memory");
        writer.write_all(bytes).expect("writing to memory");
    }
    writer.finish().expect("writing to memory").into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_back_out_under_unique_names() {
        let files = vec![
            ("Łucja Żabińska ZAS-000001-2026.pdf".to_owned(), b"%PDF-1".to_vec()),
            ("Łucja Żabińska ZAS-000001-2026.pdf".to_owned(), b"%PDF-2".to_vec()),
            ("../zły/plik.pdf".to_owned(), b"%PDF-3".to_vec()),
        ];
        let bytes = stored_zip(&files);
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 3);
        let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
        assert!(names.contains(&"Łucja Żabińska ZAS-000001-2026.pdf".to_owned()));
        assert!(names.contains(&"2-Łucja Żabińska ZAS-000001-2026.pdf".to_owned()));
        assert!(names.iter().all(|n| !n.contains('/')));
        let mut first = archive.by_name("Łucja Żabińska ZAS-000001-2026.pdf").unwrap();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut first, &mut content).unwrap();
        assert_eq!(content, b"%PDF-1");
    }
}
