-- 0011 BMC presented certificate: when a BMC presents a certificate other than the pinned one
-- (status TlsCertificateChanged) its SHA-256 is kept, so an admin can compare it and confirm
-- ("trust new certificate"), which re-pins only that exact thumbprint.

ALTER TABLE "Bmcs" ADD "PresentedCertificateSha256" character varying(64);
