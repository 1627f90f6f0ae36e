//! The OpenAPI documents committed in docs/ are the ones the code generates.
//! `UPDATE_OPENAPI=1 cargo test -p ewokiss-tests openapi` rewrites them.

fn check(generated: String, file: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs").join(file);
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, format!("{generated}\n")).expect("docs/ is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed.trim_end(),
        generated,
        "docs/{file} differs from the generated document: run UPDATE_OPENAPI=1 cargo test -p ewokiss-tests openapi"
    );
}

#[test]
fn staff_api_document_is_committed() {
    check(staff_api::openapi_json(), "openapi-staff.json");
}

#[test]
fn extranet_api_document_is_committed() {
    check(extranet_api::openapi_json(), "openapi-extranet.json");
}
