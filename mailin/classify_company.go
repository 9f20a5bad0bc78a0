package mailin

import "strings"

// freeMailDomains are consumer mail providers: their domain says nothing
// about the sender's company.
var freeMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "libero.it": true, "virgilio.it": true,
	"alice.it": true, "tim.it": true, "tiscali.it": true, "tin.it": true, "email.it": true,
	"fastwebnet.it": true, "inwind.it": true, "iol.it": true, "hotmail.com": true,
	"hotmail.it": true, "hotmail.fr": true, "hotmail.de": true, "hotmail.es": true,
	"hotmail.co.uk": true, "outlook.com": true, "outlook.it": true, "outlook.fr": true,
	"outlook.de": true, "outlook.es": true, "live.com": true, "live.it": true, "live.fr": true,
	"msn.com": true, "yahoo.com": true, "yahoo.it": true, "yahoo.fr": true, "yahoo.de": true,
	"yahoo.es": true, "yahoo.co.uk": true, "ymail.com": true, "rocketmail.com": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true, "gmx.com": true,
	"gmx.de": true, "gmx.net": true, "gmx.at": true, "gmx.ch": true, "web.de": true,
	"t-online.de": true, "freenet.de": true, "orange.fr": true, "wanadoo.fr": true,
	"free.fr": true, "sfr.fr": true, "laposte.net": true, "neuf.fr": true, "bbox.fr": true,
	"telefonica.net": true, "terra.es": true, "protonmail.com": true, "proton.me": true,
	"pm.me": true, "tutanota.com": true, "zoho.com": true, "mail.com": true, "yandex.com": true,
	"yandex.ru": true, "mail.ru": true, "qq.com": true, "163.com": true, "pec.it": true,
	"legalmail.it": true, "postecert.it": true, "aruba.it": true, "mail.ch": true,
	"bluewin.ch": true, "seznam.cz": true, "wp.pl": true, "o2.pl": true, "onet.pl": true,
}

// IsFreeMail reports whether addr is at a consumer mail provider.
func IsFreeMail(addr string) bool {
	return freeMailDomains[domainOf(addr)]
}

// CompanyHint returns the sender's domain as a hint of their company, or ""
// for free-mail providers and addresses without a domain.
func CompanyHint(addr string) string {
	d := domainOf(addr)
	if d == "" || freeMailDomains[d] || !strings.Contains(d, ".") {
		return ""
	}
	return d
}
