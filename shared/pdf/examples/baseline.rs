//! The same work as `certificate` up to the layout, without the PDF engine: the release
//! binary of this example is the baseline for "how much does linking ewokiss-pdf add".

use ewokiss_domain::documents::{default_template, DocumentKind};

fn main() {
    for kind in DocumentKind::ALL {
        let document = default_template(kind).validate().expect("the default template is valid");
        println!("{}: {} characters", kind.code(), document.layout.plain_text().len());
    }
}
