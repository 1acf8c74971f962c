# Les mots de la page en français ; mêmes identifiants que locales/en.ftl.
page-title = Service bancaire
page-lede = Cours en direct et conversions exactes, en gRPC-Web depuis cette page.
language-label = Langue
board-title = Cours en direct
board-explain = StreamRates : une requête, puis une mise à jour à chaque tick (flux serveur).
board-pairs = Paires
board-start = Suivre
board-stop = Arrêter
board-sequence = Tick { $sequence }
board-skipped = { $count ->
    [one] un tick sauté
   *[other] { $count } ticks sautés
}
board-idle = Aucun suivi en cours.
board-waiting = En attente du premier tick…
board-ended = Le flux s’est terminé : { $reason }
column-pair = Paire
column-bid = Achat
column-mid = Milieu
column-ask = Vente
convert-title = Convertir
convert-explain = Convert : une requête, une réponse (unaire).
convert-amount = Montant
convert-from = De
convert-to = Vers
convert-submit = Convertir
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = Cours { $rate }, tick { $sequence } ({ $time })
convert-busy = Conversion…
error-code = Erreur { $code }
