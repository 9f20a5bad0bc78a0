package crm

import "strings"

// freeMailDomains are consumer mail providers: their domain says nothing about
// the sender's company.
var freeMailDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "hotmail.com": true, "hotmail.it": true, "outlook.com": true,
	"outlook.it": true, "live.com": true, "live.it": true, "msn.com": true, "yahoo.com": true, "yahoo.it": true,
	"ymail.com": true, "icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true, "proton.me": true,
	"protonmail.com": true, "gmx.com": true, "gmx.de": true, "gmx.net": true, "web.de": true, "t-online.de": true,
	"libero.it": true, "virgilio.it": true, "alice.it": true, "tin.it": true, "tiscali.it": true, "email.it": true,
	"fastwebnet.it": true, "inwind.it": true, "pec.it": true, "legalmail.it": true, "orange.fr": true, "free.fr": true,
	"laposte.net": true, "sfr.fr": true, "wanadoo.fr": true, "telefonica.net": true, "yandex.com": true, "mail.ru": true,
	"zoho.com": true, "fastmail.com": true, "tutanota.com": true, "qq.com": true, "163.com": true,
}

// IsFreeMailDomain reports whether domain belongs to a consumer mail provider.
func IsFreeMailDomain(domain string) bool { return freeMailDomains[strings.ToLower(domain)] }

// CompanyFromDomain guesses a company name from a business domain
// ("rossi-impianti.it" -> "Rossi Impianti"), or "" for free mail.
func CompanyFromDomain(domain string) string {
	domain = strings.ToLower(domain)
	if IsFreeMailDomain(domain) {
		return ""
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return ""
	}
	name := labels[len(labels)-2]
	if len(labels) >= 3 && (name == "co" || name == "com") {
		name = labels[len(labels)-3]
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
