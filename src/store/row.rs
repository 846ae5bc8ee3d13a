//! Column types shared by the row structs: what the two engines store differently is decoded
//! in one place, so a row struct (`#[derive(sqlx::FromRow)]`) reads the same on both.

use sqlx::any::{AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type, ValueRef};

/// A yes/no column or expression: `boolean` on PostgreSQL, an integer 0/1 on SQLite (and a
/// count or `EXISTS` on either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        matches!(
            ty.kind,
            AnyTypeInfoKind::Bool
                | AnyTypeInfoKind::SmallInt
                | AnyTypeInfoKind::Integer
                | AnyTypeInfoKind::BigInt
        )
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        // By the value's own type: no failed decode (and its error) on SQLite's integers.
        if value.type_info().kind == AnyTypeInfoKind::Bool {
            Ok(Flag(<bool as Decode<'r, Any>>::decode(value)?))
        } else {
            Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
        }
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

/// `text_column!(Type, to_text, from_text)`: a domain enum stored as text (a status), decoded
/// and bound on both engines through its own two functions; a text the enum does not know is
/// a decoding error, never silently another status.
macro_rules! text_column {
    ($ty:ty, $to:ident, $from:ident) => {
        impl sqlx::Type<sqlx::Any> for $ty {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $ty {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, BoxDynError> {
                let s = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                <$ty>::$from(s)
                    .ok_or_else(|| format!(concat!("unknown ", stringify!($ty), " {:?}"), s).into())
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.$to(), buf)
            }
        }
    };
}

text_column!(crate::domain::delivery::MessageStatus, as_str, parse);
text_column!(crate::domain::callout::Status, code, from_code);
text_column!(crate::domain::channel::Channel, code, from_code);

/// A yes/no column that may be NULL: NULL reads as no.
pub fn yes(f: Option<Flag>) -> bool {
    f.is_some_and(|f| f.0)
}
