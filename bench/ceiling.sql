-- The ceiling of bench/peer.sh: one statement building a person's archive (the fields of
-- bench/common.lua, identity aside) as JSON, for a random benchmark ID (table bench_ids).
\set i random(1, 20000)
SELECT json_build_object(
  'idNumber', b.id_number,
  'education', (SELECT coalesce(json_agg(json_build_object('schoolName', s.school_name, 'schoolType', s.school_type,
      'enrolledOn', s.enrolled_on, 'graduatedOn', s.graduated_on)), '[]') FROM edu_schooling s WHERE s.id_number = b.id_number),
  'civilAffairs', (SELECT coalesce(json_agg(json_build_object('kind', a.kind, 'validFrom', a.valid_from, 'validTo', a.valid_to)), '[]')
      FROM civ_assistance a WHERE a.id_number = b.id_number),
  'veterans', (SELECT coalesce(json_agg(json_build_object('category', v.category, 'dischargedOn', v.discharged_on)), '[]')
      FROM vet_veteran v WHERE v.id_number = b.id_number),
  'poverty', (SELECT coalesce(json_agg(json_build_object('status', p.status, 'registeredOn', p.registered_on, 'exitYear', p.exit_year)), '[]')
      FROM pov_household_member p WHERE p.id_number = b.id_number),
  'union', (SELECT coalesce(json_agg(json_build_object('kind', u.kind, 'category', u.category, 'validFrom', u.valid_from)), '[]')
      FROM uni_record u WHERE u.id_number = b.id_number),
  'socialInsurance', (SELECT coalesce(json_agg(json_build_object('kind', r.kind, 'employerName', r.employer_name,
      'validFrom', r.valid_from, 'validTo', r.valid_to)), '[]') FROM si_record r WHERE r.id_number = b.id_number),
  'trainings', (SELECT coalesce(json_agg(json_build_object('enrolmentId', e.id, 'result', e.result, 'class', json_build_object(
      'occupationCode', c.occupation_code, 'level', c.level, 'trainingType', c.training_type, 'startDate', c.start_date,
      'endDate', c.end_date, 'institution', json_build_object('uscc', i.uscc, 'name', i.name, 'inDirectory', i.in_directory)))), '[]')
      FROM trn_enrolment e JOIN trn_class c ON c.id = e.class_id JOIN trn_institution i ON i.id = c.institution_id
      WHERE e.id_number = b.id_number),
  'certificates', (SELECT coalesce(json_agg(json_build_object('kind', t.kind, 'level', t.level, 'certificateNo', t.certificate_no)), '[]')
      FROM trn_certificate t WHERE t.id_number = b.id_number),
  'subsidies', (SELECT coalesce(json_agg(json_build_object('kind', x.kind, 'amountFen', x.amount_fen, 'paidOn', x.paid_on,
      'payingCounty', x.paying_county)), '[]') FROM trn_subsidy x WHERE x.id_number = b.id_number)
) FROM bench_ids b WHERE b.n = :i;
