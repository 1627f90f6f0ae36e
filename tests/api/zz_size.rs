#[tokio::test]
async fn future_sizes() {
    let app = crate::helpers::TestApp::spawn().await;
    let req = lambda_http::Request::default();
    eprintln!("staff handle: {}", std::mem::size_of_val(&staff_api::handle(&app.staff, req)));
    let req = lambda_http::Request::default();
    eprintln!("extranet handle: {}", std::mem::size_of_val(&extranet_api::handle(&app.extranet, req)));
    let r = &app.staff.http.registry;
    let a = ewokiss_domain::access::Actor {
        user_id: "x".into(),
        name: "x".into(),
        email: None,
        role: ewokiss_domain::access::Role::Staff,
        unit_id: None,
        person_id: None,
    };
    eprintln!("settle: {}", std::mem::size_of_val(&r.settle(&a, Default::default())));
    eprintln!(
        "change_phase: {}",
        std::mem::size_of_val(&r.change_phase(
            &a,
            ewokiss_domain::ids::TrainingId::generate(),
            ewokiss_adapters::training_app::PhaseInput { to: None }
        ))
    );
    eprintln!(
        "settlement: {}",
        std::mem::size_of_val(&r.settlement(&a, ewokiss_domain::ids::SettlementId::generate()))
    );
    eprintln!(
        "unit_settlements: {}",
        std::mem::size_of_val(&r.unit_settlements(&a, ewokiss_domain::ids::UnitId::generate()))
    );
    eprintln!(
        "enrol: {}",
        std::mem::size_of_val(&r.enrol(&a, ewokiss_domain::ids::TrainingId::generate(), Default::default()))
    );
}
