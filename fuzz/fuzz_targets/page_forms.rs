//! What a user types into the page or puts in its address: the route and its generator settings,
//! the generator form, the occupancy training and prediction forms. Never a panic; a form that
//! parses gives settings the generator accepts.
#![no_main]

use campus_jobs::generate::form::{Field, FormInput};
use campus_jobs::occupancy::predict_form::{self, PredictForm};
use campus_jobs::occupancy::train_form::{TrainField, TrainForm};
use campus_jobs::route::Route;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let route = Route::parse(&text);
    let _ = route.to_hash();
    let mut values = text.split('\n').map(str::to_owned);
    let mut form = FormInput::default();
    for field in Field::ALL {
        form.set_value(field, values.next().unwrap_or_default());
    }
    if let Ok((config, _)) = form.parse() {
        assert!(campus_gen::Ums::new(config).is_ok());
    }
    let mut train = TrainForm::default();
    for field in [TrainField::Trees, TrainField::MaxDepth, TrainField::FeaturesPerSplit, TrainField::Gamma, TrainField::C] {
        train.set(field, values.next().unwrap_or_default());
    }
    let _ = train.parse();
    let mut predict = PredictForm::typical("Engineering", "Hall A", 60, "Monday");
    for field in predict_form::Field::ALL {
        predict.set(field, values.next().unwrap_or_default());
    }
    let _ = predict.parse();
    let _ = predict_form::parse_time(&text);
});
