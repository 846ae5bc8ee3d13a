//! Domain types, free of I/O. Input is parsed into these at the edge ("parse, don't
//! validate"): a value of one of these types is always valid.

pub mod audit;
pub mod blood;
pub mod body;
pub mod callout;
pub mod campaign;
pub mod channel;
pub mod club;
pub mod dates;
pub mod delivery;
pub mod donation;
pub mod donor;
pub mod drive;
pub mod eligibility;
pub mod fixed_point;
pub mod lunar;
pub mod phone;
pub mod plan;
pub mod province;
pub mod quiet;
pub mod scope;
pub mod text;
pub mod understand;
pub mod zns;
