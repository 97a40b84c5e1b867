//! sea-orm entities of the platform tables.

pub mod tenant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tenants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub slug: String,
        pub name: String,
        pub short_name: String,
        pub region_code: String,
        pub population: i32,
        pub street_address: String,
        pub postal_code: String,
        pub city: String,
        pub phone: String,
        pub email: String,
        pub website: Option<String>,
        pub office_hours: String,
        pub time_zone: String,
        pub locale: String,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub mail_from_name: Option<String>,
        pub mail_from_address: Option<String>,
        pub mail_reply_to: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tenant_host {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tenant_hosts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub host: String,
        pub tenant_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
