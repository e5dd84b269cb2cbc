//! A payment's method-specific `details`.
//!
//! Mollie sends one flat object whose fields depend on the method (bank account for direct
//! debit, card data for cards, references for PayPal and Multibanco ...). Every field is
//! optional here, typed where Mollie documents its values.

use serde::{Deserialize, Serialize};

use crate::common::Date;
use crate::mandate::CardLabel;
use crate::money::Money;
use crate::open_enum::open_enum;
use crate::payment::Address;

open_enum! {
    /// Whether a card is a consumer or a business card.
    pub enum CardAudience {
        /// A consumer card.
        Consumer = "consumer",
        /// A business card.
        Business = "business",
    }
}

open_enum! {
    /// How a card is funded.
    pub enum CardFunding {
        /// Debit card.
        Debit = "debit",
        /// Credit card.
        Credit = "credit",
        /// Prepaid card.
        Prepaid = "prepaid",
        /// Deferred debit card.
        DeferredDebit = "deferred-debit",
    }
}

open_enum! {
    /// How a card payment was secured.
    pub enum CardSecurity {
        /// Without 3-D Secure.
        Normal = "normal",
        /// With 3-D Secure.
        ThreeDSecure = "3dsecure",
    }
}

open_enum! {
    /// The fee region of a card payment.
    pub enum FeeRegion {
        /// American Express.
        AmericanExpress = "american-express",
        /// American Express within the EEA.
        AmexIntraEea = "amex-intra-eea",
        /// Carte Bancaire.
        CarteBancaire = "carte-bancaire",
        /// Domestic.
        Domestic = "domestic",
        /// International.
        Inter = "inter",
        /// Within the EU.
        IntraEu = "intra-eu",
        /// Within the EU, corporate card.
        IntraEuCorporate = "intra-eu-corporate",
        /// Within the EEA.
        IntraEea = "intra_eea",
        /// Maestro.
        Maestro = "maestro",
        /// Mastercard credit business, domestic.
        MastercardCreditBusinessDomestic = "mastercard-credit-business-domestic",
        /// Mastercard credit consumer, domestic.
        MastercardCreditConsumerDomestic = "mastercard-credit-consumer-domestic",
        /// Mastercard credit consumer, within the EEA.
        MastercardCreditConsumerIntraEea = "mastercard-credit-consumer-intra-eea",
        /// Mastercard debit business, domestic.
        MastercardDebitBusinessDomestic = "mastercard-debit-business-domestic",
        /// Mastercard debit business, within the EEA.
        MastercardDebitBusinessIntraEea = "mastercard-debit-business-intra-eea",
        /// Mastercard debit consumer, domestic.
        MastercardDebitConsumerDomestic = "mastercard-debit-consumer-domestic",
        /// Mastercard debit consumer, within the EEA.
        MastercardDebitConsumerIntraEea = "mastercard-debit-consumer-intra-eea",
        /// Other.
        Other = "other",
        /// Visa credit business, domestic.
        VisaCreditBusinessDomestic = "visa-credit-business-domestic",
        /// Visa credit consumer, domestic.
        VisaCreditConsumerDomestic = "visa-credit-consumer-domestic",
        /// Visa credit consumer, international.
        VisaCreditConsumerInter = "visa-credit-consumer-inter",
        /// Visa credit consumer, within the EEA.
        VisaCreditConsumerIntraEea = "visa-credit-consumer-intra-eea",
        /// Visa debit business, domestic.
        VisaDebitBusinessDomestic = "visa-debit-business-domestic",
        /// Visa debit business, within the EEA.
        VisaDebitBusinessIntraEea = "visa-debit-business-intra-eea",
        /// Visa debit consumer, domestic.
        VisaDebitConsumerDomestic = "visa-debit-consumer-domestic",
    }
}

open_enum! {
    /// Why a card payment failed.
    pub enum FailureReason {
        /// The customer abandoned 3-D Secure.
        AuthenticationAbandoned = "authentication_abandoned",
        /// 3-D Secure failed.
        AuthenticationFailed = "authentication_failed",
        /// 3-D Secure was required but not done.
        AuthenticationRequired = "authentication_required",
        /// The issuer's 3-D Secure server was unavailable.
        AuthenticationUnavailableAcs = "authentication_unavailable_acs",
        /// The card was declined.
        CardDeclined = "card_declined",
        /// The card has expired.
        CardExpired = "card_expired",
        /// The card is inactive.
        InactiveCard = "inactive_card",
        /// Not enough funds.
        InsufficientFunds = "insufficient_funds",
        /// Wrong CVV.
        InvalidCvv = "invalid_cvv",
        /// Wrong card holder name.
        InvalidCardHolderName = "invalid_card_holder_name",
        /// Wrong card number.
        InvalidCardNumber = "invalid_card_number",
        /// Card type not accepted.
        InvalidCardType = "invalid_card_type",
        /// Suspected fraud.
        PossibleFraud = "possible_fraud",
        /// Refused by the issuer.
        RefusedByIssuer = "refused_by_issuer",
        /// Unknown.
        UnknownReason = "unknown_reason",
    }
}

open_enum! {
    /// The wallet a card payment came through.
    pub enum Wallet {
        /// Apple Pay.
        ApplePay = "applepay",
        /// Google Pay.
        GooglePay = "googlepay",
    }
}

open_enum! {
    /// PayPal's seller protection status, as PayPal words it.
    pub enum SellerProtection {
        /// Eligible.
        EligibleUpper = "ELIGIBLE",
        /// Partially eligible.
        PartiallyEligibleUpper = "PARTIALLY_ELIGIBLE",
        /// Not eligible.
        NotEligibleUpper = "NOT_ELIGIBLE",
        /// Eligible.
        Eligible = "Eligible",
        /// Ineligible.
        Ineligible = "Ineligible",
        /// Partially eligible, item-not-received claims only.
        PartiallyEligibleInrOnly = "Partially Eligible - INR Only",
        /// Partially eligible, unauthorized-payment claims only.
        PartiallyEligibleUnauthOnly = "Partially Eligible - Unauth Only",
        /// Partially eligible.
        PartiallyEligible = "Partially Eligible",
        /// None.
        None = "None",
        /// Active.
        Active = "Active",
        /// Fraud control, unauthorized premium eligible.
        FraudControlUnauthPremiumEligible = "Fraud Control - Unauth Premium Eligible",
    }
}

open_enum! {
    /// How a point-of-sale terminal read the card.
    pub enum CardReadMethod {
        /// Chip.
        Chip = "chip",
        /// Magnetic stripe.
        MagneticStripe = "magnetic-stripe",
        /// NFC.
        NearFieldCommunication = "near-field-communication",
        /// Contactless.
        Contactless = "contactless",
        /// Mail or telephone order.
        Moto = "moto",
    }
}

open_enum! {
    /// How a point-of-sale terminal verified the card holder.
    pub enum CardVerificationMethod {
        /// No verification required.
        NoCvmRequired = "no-cvm-required",
        /// Online PIN.
        OnlinePin = "online-pin",
        /// Offline PIN.
        OfflinePin = "offline-pin",
        /// On the consumer's device.
        ConsumerDevice = "consumer-device",
        /// Signature.
        Signature = "signature",
        /// Signature and online PIN.
        SignatureAndOnlinePin = "signature-and-online-pin",
        /// Online PIN and signature.
        OnlinePinAndSignature = "online-pin-and-signature",
        /// None.
        None = "none",
        /// Verification failed.
        Failed = "failed",
    }
}

/// The method-specific `details` of a payment. Which fields are present depends on the
/// method; see Mollie's documentation of each method.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    /// The account holder's name (bank methods, direct debit, PayPal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_name: Option<String>,
    /// The account (IBAN, PayPal email ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_account: Option<String>,
    /// The bank's BIC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_bic: Option<String>,
    /// The shipping address PayPal gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// The last four digits of the card number (cards) or the gift card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// Bank transfer: the bank to transfer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// Bank transfer: the IBAN to transfer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    /// Bank transfer: the BIC to transfer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_bic: Option<String>,
    /// Bank transfer: the reference the customer must use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_reference: Option<String>,
    /// Bizum: the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bizum_reference: Option<String>,
    /// Cards: a fingerprint unique to the card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_fingerprint: Option<String>,
    /// Cards: the card holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_holder: Option<String>,
    /// Cards: consumer or business.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_audience: Option<CardAudience>,
    /// Cards: the brand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_label: Option<CardLabel>,
    /// Cards: the issuing country (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_country_code: Option<String>,
    /// Cards: the expiry date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_expiry_date: Option<String>,
    /// Cards: debit, credit, prepaid ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_funding: Option<CardFunding>,
    /// Cards: with or without 3-D Secure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_security: Option<CardSecurity>,
    /// Cards: the fee region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_region: Option<FeeRegion>,
    /// Cards: the masked card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_masked_number: Option<String>,
    /// Cards: the 3-D Secure ECI code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_3ds_eci: Option<String>,
    /// Cards: the BIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_bin: Option<String>,
    /// Cards: the issuing bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_issuer: Option<String>,
    /// Cards: the token of the card (sent by Mollie, not listed in its spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_token: Option<String>,
    /// Bank transfer: the email address the payment instructions went to (sent by Mollie, not
    /// listed in its spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_email: Option<String>,
    /// Cards: why the payment failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<FailureReason>,
    /// Cards: the issuer's message on failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// Cards: the wallet used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<Wallet>,
    /// Multibanco: the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multibanco_reference: Option<String>,
    /// Multibanco: the entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multibanco_entity: Option<String>,
    /// PayPal: the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paypal_reference: Option<String>,
    /// PayPal: the payer's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paypal_payer_id: Option<String>,
    /// PayPal: seller protection status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_protection: Option<SellerProtection>,
    /// PayPal: PayPal's fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paypal_fee: Option<Money>,
    /// Point of sale: the customer's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_reference: Option<String>,
    /// Point of sale: the terminal's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// Point of sale: the masked card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_number: Option<String>,
    /// Point of sale: the receipt data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    /// Direct debit: the creditor identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creditor_identifier: Option<String>,
    /// Direct debit: when the account is debited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Date>,
    /// Direct debit: when the mandate was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_date: Option<Date>,
    /// Direct debit: the bank's reason code for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_reason_code: Option<String>,
    /// Direct debit: the bank's reason for a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_reason: Option<String>,
    /// Direct debit: the end-to-end identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_identifier: Option<String>,
    /// Direct debit: the mandate reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate_reference: Option<String>,
    /// Direct debit: the batch reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_reference: Option<String>,
    /// Direct debit: the file reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_reference: Option<String>,
    /// A QR code to pay with (iDEAL, Bancontact, bank transfer), when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code: Option<QrCode>,
    /// Gift cards and vouchers: the voucher number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher_number: Option<String>,
    /// Gift cards used, as Mollie sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giftcards: Option<Vec<serde_json::Value>>,
    /// Gift card or voucher issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Vouchers used, as Mollie sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vouchers: Option<Vec<serde_json::Value>>,
    /// What was left to pay after gift cards or vouchers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder_amount: Option<Money>,
    /// The method the remainder was paid with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder_method: Option<String>,
    /// Details of the remainder payment, as Mollie sends them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remainder_details: Option<serde_json::Value>,
}

/// A point-of-sale receipt's data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The authorization code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_code: Option<String>,
    /// The card application's identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_identifier: Option<String>,
    /// How the card was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_read_method: Option<CardReadMethod>,
    /// How the card holder was verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_verification_method: Option<CardVerificationMethod>,
}

/// A QR code image. Mollie's spec requires none of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QrCode {
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// The image URL (or a data URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
}
